"""State charts speak words (issue 19 review): a guard without ``when_label`` is drawn as its
condition in words (the wording of the handbook and lint W126), never as CEL; no state id or
software word appears in the text of any picture. Checked on the SVG Graphviz draws (its
``<text>`` elements: what a trainer projects) for the BF SOP and for mini_mnr, whose
« refuse » guard has no label."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from mno_workflow.render import diagrams as d
from mno_workflow.render.plain import software_words
from mno_workflow.sop.loader import load_file
from mno_workflow.sop.schema import SOP

ROOT = Path(__file__).resolve().parents[2]
BF = ROOT / "sops" / "burkina_faso" / "mnr.yaml"
MINI = ROOT / "tests" / "fixtures" / "render" / "mini_mnr.yaml"

pytestmark = pytest.mark.skipif(not d.dot_available(), reason="Graphviz dot is not installed")


def svg_text(dot_source: str) -> str:
    svg = d.render_bytes(dot_source, "svg").decode("utf-8")
    return " ".join(html.unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S))


def pictures(sop: SOP, lang: str) -> dict[str, str]:
    out = {"flow": d.flow_dot(sop, lang), "flow-swimlanes": d.flow_dot(sop, lang, swimlanes=True)}
    out |= {f"step-{sid}": d.step_dot(sop, sid, lang) for sid in sop.steps}
    return out


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("path", [BF, MINI], ids=["bf", "mini"])
def test_no_cel_state_id_or_software_word_in_state_charts(path: Path, lang: str) -> None:
    sop = load_file(path).model
    state_ids = {st for step in sop.steps.values() for st in step.states}
    guards = [t.when for step in sop.steps.values() for t in step.transitions if t.when]
    problems = {}
    for name, dot in pictures(sop, lang).items():
        text = svg_text(dot)
        found = software_words(text, state_ids) + [g for g in guards if g in text]
        if found:
            problems[name] = sorted(set(found))
    assert problems == {}


@pytest.mark.parametrize("lang,words", [("fr", "« Consentement donné » : non"),
                                        ("en", "“Consent given”: no")])
def test_the_unlabelled_guard_is_drawn_in_words(lang: str, words: str) -> None:
    sop = load_file(MINI).model
    refuse = next(t for t in sop.steps["identification"].transitions if t.trigger == "refuse")
    assert refuse.when == "!consent.given" and refuse.when_label is None
    text = re.sub(r"\s+", " ", svg_text(d.step_dot(sop, "identification", lang)))
    assert f"[{words}]" in text.replace("\u00a0", " ")
    assert "!consent.given" not in text
