"""XLSForm of an action with two forms (``form: [referral, appointment]``): one survey, a group per
form, converts with pyxform; the CLI ``mno xlsform --transition``; unknown triggers refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyxform.xls2xform import convert
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.interop.xlsform import FR, XLSFormError
from mno_workflow.interop.xlsform_transition import build_transition

from ..conftest import BF_SOP
from ..engine.multiform_sop import two_forms
from ..engine.sop_variants import dump, parse

DOC = parse(BF_SOP.read_text(encoding="utf-8"))
two_forms(DOC)
TEXT = dump(DOC)


@pytest.fixture
def sop_file(tmp_path: Path) -> Path:
    p = tmp_path / "two_forms.yaml"
    p.write_text(TEXT, encoding="utf-8")
    return p


def test_two_forms_in_one_survey_convert_with_pyxform(sop_file: Path, tmp_path: Path) -> None:
    from mno_workflow.sop.loader import load_file
    sop = load_file(sop_file).model
    x = build_transition(sop, "send")
    groups = [(r["type"], r["name"]) for r in x.survey if r["type"] in ("begin_group", "end_group")]
    assert groups == [("begin_group", "referral"), ("end_group", "referral"),
                      ("begin_group", "appointment"), ("end_group", "appointment")]
    assert next(r for r in x.survey if r["name"] == "appointment")[f"label::{FR}"] == "Rendez-vous"
    names = [r["name"] for r in x.survey]
    assert names.index("provider") < names.index("appointment") < names.index("appointment_date")
    pairs = [(c["list_name"], c["name"]) for c in x.choices]
    assert len(pairs) == len(set(pairs)) and ("yes_no", "true") in pairs   # the escort boolean
    result = convert(xlsform=str(x.save(tmp_path / "send.xlsx")))
    assert 'id="mnr_bf_send"' in result.xform
    assert "/referral/provider" in result.xform and "/appointment/appointment_date" in result.xform
    assert not [w for w in result.warnings if "error" in w.lower()]


def test_unknown_trigger_is_refused_naming_the_actions(sop_file: Path) -> None:
    from mno_workflow.sop.loader import load_file
    with pytest.raises(XLSFormError, match="snd.*send"):
        build_transition(load_file(sop_file).model, "snd")


def test_cli_transition_option(sop_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "send.xlsx"
    r = CliRunner().invoke(app, ["xlsform", str(sop_file), "--transition", "send", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "<h:html" in convert(xlsform=str(out)).xform
    r = CliRunner().invoke(app, ["xlsform", str(sop_file), "--transition", "send", "--form", "referral",
                                 "-o", str(out)])
    assert r.exit_code == 1 and "--transition" in r.output
