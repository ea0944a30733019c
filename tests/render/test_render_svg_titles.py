"""A diagram's tooltips and accessible names are words, never DOT ids (tryout of 4 December 2026:
hovering a state of a handbook diagram showed « referral.sent », an arrow « referral.draft->
referral.sent »): every ``<title>`` of every SVG diagram — flow, overview and each step, French
and English, the Burkina Faso SOP and the test SOPs (small, nasty labels, referral) — is the
words drawn in its group (real Graphviz)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mno_workflow.render import diagrams
from mno_workflow.render.overview import overview_dot
from mno_workflow.render.svg_titles import SEP, titles_in_words
from mno_workflow.sop.loader import load_file
from tests.conftest import BF_SOP

pytestmark = pytest.mark.skipif(not diagrams.dot_available(), reason="Graphviz dot is not installed")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SOPS = [BF_SOP, FIXTURES / "valid_sops" / "referral.yaml", FIXTURES / "render" / "mini_mnr.yaml",
        FIXTURES / "render" / "nasty_labels.yaml"]
TITLE = re.compile(r"<title>([^<]*)</title>")


def _ids(sop) -> set[str]:
    """The DOT names a diagram of ``sop`` may use: the SOP id, steps, ``step.state``."""
    out = {sop.sop, *sop.steps}
    for step_id, step in sop.steps.items():
        out |= {f"{step_id}.{s}" for s in step.states} | {f"{step_id}._initial"}
    return out


@pytest.mark.parametrize("sop_file", SOPS, ids=lambda p: p.stem)
def test_every_title_of_every_diagram_is_words(sop_file):
    sop = load_file(sop_file).model
    ids = _ids(sop)
    files = diagrams.expected_diagrams(sop, formats=("svg",))
    for lang in ("fr", "en"):
        files[f"overview.{lang}.svg"] = diagrams.render_bytes(overview_dot(sop, lang), "svg")
    for name, data in files.items():
        titles = TITLE.findall(data.decode("utf-8"))
        assert titles, name
        for title in titles:
            assert "->" not in title and "&#45;&gt;" not in title, (name, title)
            assert title not in ids and not re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)+", title), (name, title)


def test_a_state_an_arrow_and_the_heading_are_named_by_their_words(mini):
    step_id, step = next(iter(mini.steps.items()))
    svg = diagrams.render_bytes(diagrams.step_dot(mini, step_id, "en"), "svg").decode("utf-8")
    titles = TITLE.findall(svg)
    assert titles[0] == mini.label(step.label, "en")  # the heading
    first_state = next(iter(step.states.values()))
    assert any(t.split(SEP)[0] == mini.label(first_state.label, "en") for t in titles)
    tr = step.transitions[0]
    assert any(t.startswith(mini.label(tr.label, "en")) for t in titles)


def test_the_rewrite_itself():
    svg = ('<svg><g id="graph0" class="graph" transform="scale(1)"><title>x.y</title><text>Head</text>'
           '<g id="n1" class="node state"><title>s.a</title><text x="1">Being</text>'
           '<text x="1" y="2">filed</text><text font-style="italic">by me</text></g>'
           '<g id="n2" class="node"><title>s.b</title><text>B &amp; C</text></g>'
           '<g id="n3" class="node"><title>s._initial</title><path/></g>'
           '<g id="e1" class="edge"><title>s.a&#45;&gt;s.b</title><path/></g>'
           '<g id="e2" class="edge"><title>s._initial&#45;&gt;s.a</title><path/></g></g></svg>')
    assert TITLE.findall(titles_in_words(svg)) == [
        "Head", f"Being filed{SEP}by me", "B &amp; C", "Being filed → B &amp; C", "Being filed"]
