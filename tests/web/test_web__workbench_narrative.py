"""The workbench and the SOP's narrative files (issue 14): a draft of the Burkina Faso SOP carries
``narrative.yaml`` as stored with the version, edits it on its own tab (validated: an error is
shown in that file at its line), and publication stores the edited text with the new version; a
draft from a version registered before narrative files were stored starts from the SOP folder's
file; an import cycle names the real main file, not the editor's ``brouillon.yaml``. On SQLite
and PostgreSQL."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from mno_workflow.render.narrative_text import find_narrative
from mno_workflow.sop.loader import load_file
from mno_workflow.store.models import SopVersion
from mno_workflow.web import workbench
from mno_workflow.web.demo_data import DemoUser, create_users
from tests.conftest import BF_VERSION

from ..cli.test_cli__sop_imports_stored import FILES
from ..cli.test_cli__sop_narrative_stored import copy_bf
from ..sop.test_sop_imports_files import tree
from .conftest import csrf_of
from .test_web__workbench_imports import latest, textarea

BF = Path(__file__).resolve().parents[2] / "sops" / "burkina_faso"


@pytest.fixture
def live(live_any):
    return live_any


def author(live):
    with live.wf.sessions.begin() as s:
        create_users(s, [DemoUser("auteur.pos", "Auteur POS", "sop_author")])
    return live.client("auteur.pos")


def new_draft(c, sop_id: str) -> int:
    home = c.get("/pos/atelier")
    r = c.post("/pos/atelier/brouillons", data={"sop_id": sop_id, "csrftoken": csrf_of(home.text)})
    assert r.status_code == 303, r.text[:300]
    return int(r.headers["location"].rsplit("/", 1)[1])


def test_the_narrative_is_a_tab_of_the_draft_validated_and_published(live, tmp_path):
    main = copy_bf(tmp_path / "pos")
    live.wf.load_sop(load_file(main))
    c = author(live)
    number = new_draft(c, "mnr_bf")
    narrative = (BF / "narrative.yaml").read_bytes().decode("utf-8")
    assert latest(live, number).files["narrative.yaml"] == narrative
    page = c.get(f"/pos/atelier/brouillons/{number}")
    assert page.status_code == 200 and '?fichier=narrative.yaml"' in page.text
    tab = c.get(f"/pos/atelier/brouillons/{number}", params={"fichier": "narrative.yaml"})
    assert tab.status_code == 200 and textarea(tab.text) == narrative
    csrf = csrf_of(tab.text)

    # an invalid chapter id typed in the narrative: E037 in narrative.yaml at its line
    line = next(i for i, t in enumerate(narrative.splitlines(), 1) if t == "    - id: principles")
    broken = narrative.replace("    - id: principles", "    - id: Principes Directeurs")
    r = c.post(f"/pos/atelier/brouillons/{number}/verifier",
               data={"source": broken, "fichier": "narrative.yaml", "csrftoken": csrf},
               headers={"x-csrftoken": csrf})
    assert re.search(rf'data-goto="{line}">narrative.yaml, ligne {line}, col \d+</a> · <strong>E037</strong>',
                     r.text), r.text[:3000]

    # a changed narrative saved, the version number raised, published: stored with the version
    changed = narrative.replace("Principes directeurs", "Principes directeurs révisés")
    r = c.post(f"/pos/atelier/brouillons/{number}/enregistrer",
               data={"source": changed, "fichier": "narrative.yaml",
                     "revision": str(latest(live, number).revision), "csrftoken": csrf})
    assert r.status_code == 303
    draft = latest(live, number)
    r = c.post(f"/pos/atelier/brouillons/{number}/enregistrer",
               data={"source": draft.source.replace(f'version: "{BF_VERSION}"', 'version: "2099.1"'),
                     "revision": str(draft.revision), "csrftoken": csrf})
    assert r.status_code == 303
    r = c.post(f"/pos/atelier/brouillons/{number}/publier", data={"go": "publish", "csrftoken": csrf})
    assert r.status_code in (200, 303), r.text[:800]
    (main.parent / "narrative.yaml").write_text("narrative: {}\n", encoding="utf-8")  # the disk moves on
    with live.wf.sessions() as s:
        row = s.scalars(select(SopVersion).where(SopVersion.version == "2099.1")).one()
        assert row.files == {"narrative.yaml": changed}
        sop = live.wf.registry.compiled(row).sop
    titles = [ch.title["fr"] for ch in find_narrative(sop, main).chapters]
    assert "Principes directeurs révisés" in titles


def test_a_draft_of_an_old_version_takes_the_narrative_from_its_folder(live):
    import hashlib
    with live.wf.sessions.begin() as s:  # the server's BF version, as registered before issue 14
        row = s.scalars(select(SopVersion).where(SopVersion.sop_id == "mnr_bf")).one()
        row.files, row.sha256 = None, hashlib.sha256(row.source.encode("utf-8")).hexdigest()
        folder = Path(row.source_path).parent
    live.wf.registry.forget([row.id])
    c = author(live)
    number = new_draft(c, "mnr_bf")
    assert latest(live, number).files["narrative.yaml"] == (folder / "narrative.yaml").read_bytes().decode()
    page = c.get(f"/pos/atelier/brouillons/{number}")
    assert 'id="diagnostics-ok"' in page.text and '?fichier=narrative.yaml"' in page.text


def test_an_import_cycle_names_the_real_main_file(live, tmp_path):
    main = tree(tmp_path / "pos", FILES)
    live.wf.load_sop(load_file(main))
    c = author(live)
    number = new_draft(c, "regional")
    page = c.get(f"/pos/atelier/brouillons/{number}")
    csrf = csrf_of(page.text)
    r = c.post(f"/pos/atelier/brouillons/{number}/enregistrer",
               data={"source": "imports: [../regional.yaml]\n", "fichier": "commun/forms.yaml",
                     "revision": str(latest(live, number).revision), "csrftoken": csrf})
    assert r.status_code == 303
    r = c.post(f"/pos/atelier/brouillons/{number}/verifier",
               data={"source": latest(live, number).source, "csrftoken": csrf}, headers={"x-csrftoken": csrf})
    cycle = "cycle d&#39;importation : regional.yaml → commun/forms.yaml → regional.yaml"
    assert cycle in r.text, r.text[:3000]
    assert "brouillon.yaml" not in r.text
    # the same through the function the pages use
    check = workbench.check_text(latest(live, number).source, latest(live, number).files, "pos/regional.yaml")
    assert [d["message"] for d in check.errors if d["code"] == "E037"] == [
        "import cycle: regional.yaml → commun/forms.yaml → regional.yaml"]
    shutil.rmtree(tmp_path / "pos")  # nothing above read the disk: the draft holds its files
    again = workbench.check_text(latest(live, number).source, latest(live, number).files, "regional.yaml")
    assert [d["message"] for d in again.errors] == [d["message"] for d in check.errors]
