"""Diagrams and handbook of the shipped Burkina Faso SOP: up to date, complete, and equal to what runs."""

from __future__ import annotations

from html import unescape
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.engine.compile import compile_sop
from mno_workflow.render import diagrams as d
from mno_workflow.sop.loader import load_file

ROOT = Path(__file__).resolve().parents[2]
BF_SOP = ROOT / "sops" / "burkina_faso" / "mnr.yaml"

runner = CliRunner()
ARTIFACTS = ROOT / "artifacts"


@pytest.fixture(scope="module")
def bf_loaded():
    return load_file(BF_SOP)


def test_committed_diagrams_are_up_to_date(bf_loaded):
    sop = bf_loaded.model
    stale = []
    for rel, data in d.expected_diagrams(sop, formats=("dot", "mmd"), langs=tuple(sop.languages)).items():
        path = ROOT / "diagrams" / rel
        if not path.exists() or path.read_bytes() != data:
            stale.append(rel)
        svg = path.with_suffix(".svg")
        if not svg.exists():
            stale.append(str(Path(rel).with_suffix(".svg")))
    assert not stale, ("diagrams/ is out of date; run: .venv/bin/mno diagram sops/burkina_faso/mnr.yaml "
                       f"--all -o diagrams   ({', '.join(sorted(stale))})")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_dot_edges_equal_the_compiled_machines(bf_loaded, lang):
    sop = bf_loaded.model
    compiled = compile_sop(sop)
    from_machines = {(step_id, src, trig, dest) for step_id, cs in compiled.steps.items()
                     for src, trig, dest in cs.edges()}
    drawn = set()
    for step_id in sop.steps:
        dot = d.step_dot(sop, step_id, lang)
        drawn |= {(e.step, e.source, e.trigger, e.dest) for e in d.edges_of_dot(dot)}
    assert drawn == from_machines
    flow = {(e.step, e.source, e.trigger, e.dest) for e in d.edges_of_dot(d.flow_dot(sop, lang))}
    assert flow == from_machines
    # Guard labels as drawn equal the SOP's guards.
    assert d.edges_of_dot(d.flow_dot(sop, lang)) == d.transition_facts(sop, lang)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_handbook_and_diagrams_artefacts(bf_loaded, lang):
    sop = bf_loaded.model
    out = ARTIFACTS / "handbook"
    r = runner.invoke(app, ["handbook", str(BF_SOP), "-o", str(out), "--lang", lang])
    assert r.exit_code == 0, r.output
    raw_html = (out / sop.sop / lang / "handbook.html").read_text(encoding="utf-8")
    html = unescape(raw_html)
    md = (out / sop.sop / lang / "handbook.md").read_text(encoding="utf-8")
    for step in sop.steps.values():
        assert sop.label(step.label, lang) in html and sop.label(step.label, lang) in md
        for st in step.states.values():
            assert sop.label(st.label, lang) in html
            if st.deadline:
                for case in d.deadline_cases(sop, st.deadline, lang):
                    assert case in html, case
                if st.deadline.start not in (None, "entered"):
                    if st.deadline.start.startswith("steps."):  # issue 13: a step's state
                        from mno_workflow.engine.step_start import state_label
                        assert state_label(sop, st.deadline.start, lang) in html
                        continue
                    form_id, field_id = st.deadline.start.split(".")
                    field = next(f for f in sop.forms[form_id].fields if f.id == field_id)
                    assert sop.label(field.label, lang) in html
    for form in sop.forms.values():
        assert sop.label(form.title, lang) in html
        for f in form.fields:
            assert sop.label(f.label, lang) in html
    expected_days = "10 jours ouvrables" if lang == "fr" else "10 working days"
    assert expected_days in html and "<svg" in raw_html
    png = ARTIFACTS / "diagrams" / f"referral.{lang}.png"
    png.parent.mkdir(parents=True, exist_ok=True)
    r = runner.invoke(app, ["diagram", str(BF_SOP), "--step", "referral", "--format", "png", "--lang", lang,
                            "-o", str(png)])
    assert r.exit_code == 0, r.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = ARTIFACTS / "diagrams" / f"flow.{lang}.pdf"
    r = runner.invoke(app, ["diagram", str(BF_SOP), "--format", "pdf", "--page", "16:9", "--lang", lang,
                            "-o", str(pdf)])
    assert r.exit_code == 0, r.output
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_diagram_command_refuses_bad_input(tmp_path):
    r = runner.invoke(app, ["diagram", str(BF_SOP), "--format", "gif", "-o", str(tmp_path / "x.gif")])
    assert r.exit_code == 2 and "Format inconnu" in r.output
    r = runner.invoke(app, ["diagram", str(BF_SOP), "--step", "nope", "-o", str(tmp_path / "x.svg")])
    assert r.exit_code == 1 and "Étape inconnue" in r.output
    r = runner.invoke(app, ["diagram", str(BF_SOP), "--lang", "de", "-o", str(tmp_path / "x.svg")])
    assert r.exit_code == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("sop: [\n", encoding="utf-8")
    r = runner.invoke(app, ["diagram", str(bad), "-o", str(tmp_path / "x.svg")])
    assert r.exit_code == 1 and f"{bad}:" in r.output and "E001" in r.output
    r = runner.invoke(app, ["diagram", str(BF_SOP), "--format", "dot", "-o", str(tmp_path / "no" / "x.dot")])
    assert r.exit_code == 1 and "Traceback" not in r.output
