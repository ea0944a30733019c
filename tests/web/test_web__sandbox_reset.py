"""« Réinitialiser le bac à sable » on the web (issue 19): trainer role only (every other role 403,
anonymous to sign-in), a confirmation is required, a database with real data is refused (409,
nothing touched), and every reset is logged (who, when, how many cases) in the sandbox's own log,
never in the export log (a reset exports nothing); the attachment files of the removed cases are
deleted from disk."""

from __future__ import annotations

import html

from sqlalchemy import func, select

from mno_workflow import attachments
from mno_workflow.i18n import ngettext
from mno_workflow.store.models import Attachment, Case, StepInstance, User
from mno_workflow.web.models import ExportLog, SandboxReset

from .conftest import csrf_of

USERS = {"caseworker": "mariam.kabore", "supervisor": "idrissa.sanou", "coordinator": "coord.mnr",
         "provider": "focal.masn", "trainer": "formateur", "me_officer": "suivi.evaluation"}


def count(live, model) -> int:
    with live.wf.sessions() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def csrf(client) -> str:
    return csrf_of(client.get("/mon-compte/acces").text)


def test_only_the_trainer_sees_and_uses_the_reset(live):
    for role, user in USERS.items():
        c = live.client(user)
        page = c.get("/pos/bac-a-sable")
        assert page.status_code == (200 if role == "trainer" else 403), role
        docs = c.get("/pos/documents").text
        assert ('id="sandbox-link"' in docs) is (role == "trainer"), role
        if role != "trainer":
            r = c.post("/pos/bac-a-sable/reinitialiser", data={"confirmer": "oui", "csrftoken": csrf(c)})
            assert r.status_code == 403, role
    anonymous = live.client()
    assert anonymous.get("/pos/bac-a-sable").status_code == 303
    assert count(live, Case) == 0 and count(live, SandboxReset) == 0  # nobody but the trainer reset anything


def test_reset_needs_the_confirmation_then_replaces_the_cases_and_is_logged(live):
    trainer = live.client("formateur")
    page = trainer.get("/pos/bac-a-sable").text
    assert "Réinitialiser le bac à sable" in page and 'name="confirmer"' in page
    r = trainer.post("/pos/bac-a-sable/reinitialiser", data={"csrftoken": csrf_of(page)})
    assert r.status_code == 400 and "rien n'a été modifié" in html.unescape(r.text)
    assert count(live, Case) == 0 and count(live, SandboxReset) == 0

    r = trainer.post("/pos/bac-a-sable/reinitialiser", data={"confirmer": "oui", "csrftoken": csrf_of(page)})
    assert r.status_code == 303 and r.headers["location"] == "/pos/bac-a-sable"
    first = count(live, Case)
    assert first >= 12
    assert "Bac à sable réinitialisé : 0 dossier supprimé" in trainer.get("/pos/bac-a-sable").text

    r = trainer.post("/pos/bac-a-sable/reinitialiser", data={"confirmer": "oui", "csrftoken": csrf(trainer)})
    assert r.status_code == 303
    assert count(live, Case) == first  # replaced, not added
    with live.wf.sessions() as s:
        logs = list(s.scalars(select(SandboxReset).order_by(SandboxReset.id)))
    # issue 19 review: the reset has its own log, not the export log (the test asserted ExportLog before)
    assert [(x.user_id, x.role) for x in logs] == [("formateur", "trainer")] * 2
    assert (logs[1].removed, logs[1].created, logs[1].files_removed) == (first, first, 0)
    assert count(live, ExportLog) == 0
    page = trainer.get("/pos/bac-a-sable")
    assert page.status_code == 200  # the trainer is still signed in
    assert 'id="sandbox-history"' in page.text
    removed = ngettext("{n} dossier supprimé", "{n} dossiers supprimés", first, "fr")
    assert html.unescape(page.text).count(f"formateur : {removed}") == 1


def test_a_database_with_real_data_is_refused_and_left_untouched(live):
    with live.wf.sessions.begin() as s:
        s.add(User(id="real.person", display_name="Vraie personne", role="caseworker", password_hash="x",
                   active=True))
    trainer = live.client("formateur")
    page = trainer.get("/pos/bac-a-sable")
    assert page.status_code == 200 and 'id="sandbox-refused"' in page.text
    # said for a trainer, in plain words: no command-line option (tryout 5, H13)
    refused = page.text.split('id="sandbox-refused"', 1)[1].split("</", 1)[0]
    assert "ne peut pas servir de bac à sable" in refused and "--demo" not in refused, refused
    assert 'id="sandbox-reset"' not in page.text  # no button
    r = trainer.post("/pos/bac-a-sable/reinitialiser", data={"confirmer": "oui", "csrftoken": csrf(trainer)})
    assert r.status_code == 409 and "real.person" in r.text and "--demo" not in r.text
    assert count(live, Case) == 0 and count(live, SandboxReset) == 0
    with live.wf.sessions() as s:
        assert s.get(User, "real.person") is not None


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def test_reset_erases_the_attachment_files_and_leaves_the_export_log_alone(live):
    trainer = live.client("formateur")
    assert trainer.post("/pos/bac-a-sable/reinitialiser",
                        data={"confirmer": "oui", "csrftoken": csrf(trainer)}).status_code == 303
    with live.wf.sessions.begin() as s:  # two scanned documents on sandbox cases, and one real export
        cases = list(s.scalars(select(Case).order_by(Case.id).limit(2)))
        stored = []
        for case in cases:
            inst = s.scalars(select(StepInstance).where(StepInstance.case_id == case.id)).first()
            stored.append(attachments.add(s, case, inst, "fiche.png", PNG, "mariam.kabore",
                                          live.wf.clock.now()).stored_name)
        s.add(ExportLog(at=live.wf.clock.now(), user_id="coord.mnr", role="coordinator", what="dashboard.csv",
                        filters={}, row_count=3, names=False))
    files = [attachments.folder() / name for name in stored]
    assert all(f.exists() for f in files)
    with live.wf.sessions() as s:
        exports_before = [(x.id, x.what, x.user_id) for x in s.scalars(select(ExportLog))]

    r = trainer.post("/pos/bac-a-sable/reinitialiser", data={"confirmer": "oui", "csrftoken": csrf(trainer)})
    assert r.status_code == 303
    assert [f.exists() for f in files] == [False, False]  # not left orphaned on disk
    assert count(live, Attachment) == 0
    with live.wf.sessions() as s:
        assert [(x.id, x.what, x.user_id) for x in s.scalars(select(ExportLog))] == exports_before
        last = s.scalars(select(SandboxReset).order_by(SandboxReset.id.desc())).first()
    assert last.files_removed == 2
    assert "2 pièces jointes effacées" in html.unescape(trainer.get("/pos/bac-a-sable").text)


def _size_field(page: str) -> str:
    import re
    return re.search(r'<input type="number" id="sandbox-cases" name="dossiers" value="(\d+)"', page)[1]


def test_the_reset_keeps_the_size_the_sandbox_was_made_with_or_the_one_chosen(live):
    """Tryout 5, H15: a sandbox made with ``mno sandbox --cases 10`` (its log says 10) is reset to
    10 cases, not to the page's own default; the trainer may choose another size, kept from then
    on; a size below the field paths is refused in words, French and English, nothing touched."""
    from mno_workflow.web.sandbox_reset import FIELD_CASES

    with live.wf.sessions.begin() as s:  # what `mno sandbox --cases 10` recorded
        s.add(SandboxReset(at=live.wf.clock.now(), user_id="cli:root", role="cli", removed=0, created=10,
                           files_removed=0))
    trainer = live.client("formateur")
    page = trainer.get("/pos/bac-a-sable").text
    assert _size_field(page) == "10"
    r = trainer.post("/pos/bac-a-sable/reinitialiser", data={"confirmer": "oui", "csrftoken": csrf_of(page)})
    assert r.status_code == 303 and count(live, Case) == 10  # the form's field left out: the stored size

    r = trainer.post("/pos/bac-a-sable/reinitialiser",
                     data={"confirmer": "oui", "dossiers": str(FIELD_CASES + 1), "csrftoken": csrf(trainer)})
    assert r.status_code == 303 and count(live, Case) == FIELD_CASES + 1
    assert _size_field(trainer.get("/pos/bac-a-sable").text) == str(FIELD_CASES + 1)  # kept from then on

    for lang, words in (("fr", "Nombre de dossiers : entre 8 et 200"),
                        ("en", "Number of cases: between 8 and 200")):
        trainer.get(f"/langue/{lang}", params={"next": "/"})
        r = trainer.post("/pos/bac-a-sable/reinitialiser",
                         data={"confirmer": "oui", "dossiers": "3", "csrftoken": csrf(trainer)})
        assert r.status_code == 400 and words in html.unescape(r.text), lang
        assert count(live, Case) == FIELD_CASES + 1  # nothing touched
