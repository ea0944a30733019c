"""The workbench with an SOP split into several files (issue 14): a draft from a published
multi-file version carries each imported file and edits it on its own tab, diagnostics name the
file and line, publication stores the draft's files with the new version, and bad imports are
refused with nothing stored. On SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from mno_workflow.sop.loader import load_file
from mno_workflow.store.models import SopDraft, SopVersion
from mno_workflow.web.demo_data import DemoUser, create_users

from ..cli.test_cli__sop_imports_stored import FILES
from ..sop.test_sop_imports_files import tree
from .conftest import csrf_of

OPTIONS_FILE = "commun/listes/options.yaml"


@pytest.fixture
def live(live_any):
    return live_any


def textarea(page: str) -> str:
    return html.unescape(page.split('name="source"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0])


def start(live, tmp_path):
    with live.wf.sessions.begin() as s:
        create_users(s, [DemoUser("auteur.pos", "Auteur POS", "sop_author")])
    main = tree(tmp_path / "pos", FILES)
    live.wf.load_sop(load_file(main))
    c = live.client("auteur.pos")
    home = c.get("/pos/atelier")
    r = c.post("/pos/atelier/brouillons", data={"sop_id": "regional", "csrftoken": csrf_of(home.text)})
    assert r.status_code == 303, r.text[:300]
    return c, int(r.headers["location"].rsplit("/", 1)[1]), main


def latest(live, number: int) -> SopDraft:
    with live.wf.sessions() as s:
        return s.scalars(select(SopDraft).where(SopDraft.draft == number)
                         .order_by(SopDraft.revision.desc())).first()


def test_each_file_is_edited_on_its_tab_and_published_with_the_version(live, tmp_path):
    c, number, main = start(live, tmp_path)
    draft = latest(live, number)
    published = {k: (main.parent / k).read_bytes().decode("utf-8") for k in FILES if k != "regional.yaml"}
    assert {k: v for k, v in draft.files.items() if not k.startswith("scenarios/")} == published
    page = c.get(f"/pos/atelier/brouillons/{number}")
    assert page.status_code == 200 and 'id="diagnostics-ok"' in page.text
    assert 'id="draft-files"' in page.text and f"?fichier={OPTIONS_FILE}\"" in page.text
    assert textarea(page.text) == FILES["regional.yaml"]
    tab = c.get(f"/pos/atelier/brouillons/{number}", params={"fichier": OPTIONS_FILE})
    assert tab.status_code == 200 and textarea(tab.text) == published[OPTIONS_FILE]
    assert 'name="fichier" id="draft-file" value="commun/listes/options.yaml"' in tab.text
    csrf = csrf_of(tab.text)

    # an error typed in the imported file: named with that file and its line, marked in its gutter
    broken = published[OPTIONS_FILE].replace("{fr: Urgence vitale, en: Emergency}", "{fr: Urgence vitale}")
    r = c.post(f"/pos/atelier/brouillons/{number}/verifier",
               data={"source": broken, "fichier": OPTIONS_FILE, "csrftoken": csrf},
               headers={"x-csrftoken": csrf})
    assert r.status_code == 200
    assert re.search(r'data-goto="3">commun/listes/options.yaml, ligne 3, col \d+</a> · '
                     r'<strong>E\d+</strong> erreur', r.text), r.text[:2000]
    assert 'class="gutter-error" data-line="3"' in r.text
    # only typed, not saved: the main file's tab checks with the saved files, which are fine
    r = c.post(f"/pos/atelier/brouillons/{number}/verifier",
               data={"source": FILES["regional.yaml"], "csrftoken": csrf}, headers={"x-csrftoken": csrf})
    assert "Aucune erreur" in r.text  # the saved files are fine

    # save the imported file (its CRLF-free text), then a new version number in the main text
    changed = published[OPTIONS_FILE].replace("Urgence vitale", "Urgence absolue")
    r = c.post(f"/pos/atelier/brouillons/{number}/enregistrer",
               data={"source": changed, "fichier": OPTIONS_FILE, "revision": str(draft.revision),
                     "csrftoken": csrf})
    assert r.status_code == 303 and r.headers["location"].endswith("?fichier=commun/listes/options.yaml")
    second = latest(live, number)
    assert second.revision == draft.revision + 1 and second.source == draft.source
    assert second.files[OPTIONS_FILE] == changed
    assert second.files["commun/forms.yaml"] == published["commun/forms.yaml"]  # CRLF kept
    r = c.post(f"/pos/atelier/brouillons/{number}/enregistrer",
               data={"source": FILES["regional.yaml"].replace('version: "1"', 'version: "2"'),
                     "revision": str(second.revision), "csrftoken": csrf})
    assert r.status_code == 303
    third = latest(live, number)
    assert third.files == second.files

    r = c.post(f"/pos/atelier/brouillons/{number}/publier", data={"go": "publish", "csrftoken": csrf})
    assert r.status_code in (200, 303), r.text[:800]
    with live.wf.sessions() as s:
        row = s.scalars(select(SopVersion).where(SopVersion.sop_id == "regional",
                                                 SopVersion.version == "2")).one()
        assert row.source == third.source and "imports: [commun/forms.yaml]" in row.source
        assert row.source_path == str(main)  # the name it started from: export writes regional.yaml
        assert row.files == {"commun/forms.yaml": published["commun/forms.yaml"], OPTIONS_FILE: changed}
        sop = live.wf.registry.compiled(row).sop
        assert sop.options["priority"]["emergency"]["fr"] == "Urgence absolue"
    # a draft from the new version starts with the files it was published with
    home = c.get("/pos/atelier")
    r = c.post("/pos/atelier/brouillons", data={"sop_id": "regional", "csrftoken": csrf_of(home.text)})
    again = latest(live, int(r.headers["location"].rsplit("/", 1)[1]))
    assert again.files[OPTIONS_FILE] == changed


@pytest.mark.parametrize("entry,reason", [
    # in the page's language, as mno validate says them (the workbench speaks French here)
    ("../../etc/passwd", "le chemin sort du dossier de la POS"),
    ("/etc/passwd", "un chemin absolu n&#39;est pas permis"),
    ("commun/absent.yaml", "ne fait pas partie des fichiers"),
    ("commun/boucle.yaml", "cycle d&#39;importation"),
])
def test_bad_imports_are_shown_at_their_line_and_nothing_is_published(live, tmp_path, entry, reason):
    c, number, _ = start(live, tmp_path)
    page = c.get(f"/pos/atelier/brouillons/{number}")
    csrf = csrf_of(page.text)
    if entry == "commun/boucle.yaml":
        r = c.post(f"/pos/atelier/brouillons/{number}/enregistrer",
                   data={"source": "imports: [boucle.yaml]\n", "fichier": entry,
                         "revision": str(latest(live, number).revision), "csrftoken": csrf})
        assert r.status_code == 303
    text = FILES["regional.yaml"].replace("[commun/forms.yaml]", f'["{entry}"]').replace(
        'version: "1"', 'version: "3"')
    r = c.post(f"/pos/atelier/brouillons/{number}/verifier", data={"source": text, "csrftoken": csrf},
               headers={"x-csrftoken": csrf})
    if entry == "commun/boucle.yaml":
        assert re.search(r'commun/boucle.yaml, ligne 1, col 11</a> · <strong>E037</strong>', r.text), r.text
    else:
        assert re.search(r'data-goto="4">regional.yaml, ligne 4, col 11</a> · <strong>E037</strong>',
                         r.text), r.text
    assert reason in r.text
    r = c.post(f"/pos/atelier/brouillons/{number}/enregistrer",
               data={"source": text, "revision": str(latest(live, number).revision), "csrftoken": csrf})
    assert r.status_code == 303
    r = c.post(f"/pos/atelier/brouillons/{number}/publier", data={"go": "publish", "csrftoken": csrf})
    assert r.status_code == 422 and "erreurs" in r.text
    if entry == "commun/boucle.yaml":  # the error is in the imported file: named on the page
        assert "<li>commun/boucle.yaml, ligne 1 · E037" in r.text
    else:
        assert "<li>ligne 4 · E037" in r.text
    with live.wf.sessions() as s:
        assert s.scalar(select(func.count()).select_from(SopVersion).where(SopVersion.version == "3")) == 0


def test_a_file_path_leaving_the_folder_is_refused(live, tmp_path):
    c, number, _ = start(live, tmp_path)
    before = latest(live, number)
    page = c.get(f"/pos/atelier/brouillons/{number}")
    for bad in ("../x.yaml", "/etc/x.yaml", "scenarios/x.yaml", "commun/x.txt"):
        r = c.post(f"/pos/atelier/brouillons/{number}/enregistrer",
                   data={"source": "forms: {}\n", "fichier": bad, "revision": str(before.revision),
                         "csrftoken": csrf_of(page.text)})
        assert r.status_code == 303
        assert "Fichier refusé" in c.get(f"/pos/atelier/brouillons/{number}").text
    assert latest(live, number).revision == before.revision
