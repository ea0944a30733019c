"""A hint « utiliser l'un de : … » never ends on an empty list (tryout 4, G2: an SOP whose
``steps`` is empty read « E024 étape inconnue : 's' (conseil : utiliser l'un de : ) »)."""

from __future__ import annotations

import pytest

from mno_workflow.sop.diagnostics import SOPError
from mno_workflow.sop.loader import load_text

SOP = """\
sop: t
version: "1"
title: {fr: T, en: T}
languages: [fr, en]
calendar: {timezone: Africa/Ouagadougou, holidays: BF}
roles:
  caseworker: {label: {fr: Gestionnaire, en: Case manager}}
forms: {}
start: s
steps: {}
"""


def test_an_unknown_start_with_no_step_says_none_is_defined():
    with pytest.raises(SOPError) as e:
        load_text(SOP, "t.yaml")
    found = [d for d in e.value.diagnostics if d.code == "E024"]
    assert found, "the unknown start is reported"
    for d in found:
        fr, en = d.format("fr"), d.format("en")
        assert "aucun défini" in fr and "none defined" in en, (fr, en)
        assert "l'un de : )" not in fr and "one of: )" not in en
