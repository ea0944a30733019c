"""``mno case show`` and ``mno case list`` of a case whose personal data were erased (tryout 3,
F31): the name line says « Données personnelles effacées », a line says when and why in words,
erased values carry the day in the reader's format and the rule is never its key (« erasure »),
in French and in English."""

from __future__ import annotations

import pytest

from mno_workflow.engine.engine import WorkflowEngine
from mno_workflow.store.base import make_engine

from ..engine.helpers import close_now
from .test_cli__case_scope import kadiogo_case, mno  # noqa: F401  (the fixture)

pytestmark = pytest.mark.migrated


def test_show_and_list_say_the_erasure_in_words(kadiogo_case):  # noqa: F811
    db_url, ref = kadiogo_case
    # tryout 9, L9: an open case is not erased; the refusal says how to close it, nothing written
    for lang, words in (("fr", "est encore ouvert : clôturez-le d'abord"),
                        ("en", "is still open: close it first")):
        r = mno(db_url, "--lang", lang, "case", "erase", ref, "--reason", "demande écrite", "--as",
                "idrissa.sanou:supervisor")
        assert r.exit_code == 1 and words in r.stderr and "case_open" not in r.stderr, r.output
    assert "Awa Sawadogo" in mno(db_url, "case", "show", ref).output
    wf = WorkflowEngine(make_engine(db_url))  # the SOP loaded by the fixture, read from the database
    close_now(wf, ref)
    wf.db.dispose()
    r = mno(db_url, "case", "erase", ref, "--reason", "demande écrite", "--as", "idrissa.sanou:supervisor")
    assert r.exit_code == 0, r.output
    fr = mno(db_url, "case", "show", ref).output
    assert "Nom : Données personnelles effacées" in fr, fr
    assert "Les données personnelles de cette personne ont été effacées le " in fr
    assert ", à la demande de la personne." in fr
    assert "erasure" not in fr and "Awa" not in fr
    assert "Règle : à la demande de la personne" in fr  # the audit line
    en = mno(db_url, "--lang", "en", "case", "show", ref).output
    assert "Name: Personal data erased" in en and "at the person's request." in en, en
    assert "This person's personal data were erased on " in en
    assert "erasure" not in en and "effac" not in en
    listed = mno(db_url, "case", "list").output
    assert "Données personnelles effacées" in listed.splitlines()[1], listed
