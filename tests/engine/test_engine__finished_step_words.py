"""An action sent to a finished (or unknown) step instance is refused naming the step in words in
the reader's language — « Évaluation des besoins », never ``needs_assessment:1`` (tryout, issue 18)."""

from __future__ import annotations

import pytest

from mno_workflow.engine.errors import UnknownTrigger
from mno_workflow.sop.loader import load_file

from .helpers import CONSENT, CW, IDENT, NEEDS, SUP


def test_a_finished_step_is_named_in_words(wf):
    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, IDENT)
    wf.fire(ref, "record_consent", CW, CONSENT)
    wf.fire(ref, "submit_assessment", CW, NEEDS)
    wf.fire(ref, "approve_plan", SUP)  # the needs assessment is finished
    with pytest.raises(UnknownTrigger) as e:
        wf.fire(ref, "submit_assessment", CW, NEEDS, instance="needs_assessment:1")
    fr, en = e.value.text("fr"), e.value.text("en")
    assert "needs_assessment" not in fr and "needs_assessment" not in en, (fr, en)
    label = load_file("sops/burkina_faso/mnr.yaml").model.steps["needs_assessment"].label
    assert f"« {label['fr']} »" in fr and label["en"] in en, (fr, en)
    assert "introuvable ou terminée" in fr and "not found or finished" in en
