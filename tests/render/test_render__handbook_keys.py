"""Issue 18: the handbook a trainer reads names triggers, options and the SOP by their labels,
never by their keys (``record_consent``, ``single_headed_household``, ``mnr_bf``), in HTML and
Markdown, French and English; a condition keeps its CEL only as a labelled hint."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mno_workflow.render.handbook import render_handbook_html, render_handbook_md
from mno_workflow.sop.loader import load_file

BF = Path(__file__).resolve().parents[2] / "sops" / "burkina_faso" / "mnr.yaml"


@pytest.fixture(scope="module")
def sop():
    return load_file(BF).model


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_handbook_shows_labels_not_keys(sop, lang: str) -> None:
    triggers = {tr.trigger for s in sop.steps.values() for tr in s.transitions}
    codes = {code for opts in sop.options.values() for code in opts if "_" in code}
    page = render_handbook_html(sop, lang, svg=False)
    text = re.sub(r"<(script|style|svg|pre)\b.*?</\1>", " ", page, flags=re.S)
    shown = set(re.findall(r"<code>([^<]*)</code>", text))
    assert not shown & (triggers | codes | {sop.sop}), sorted(shown & (triggers | codes | {sop.sop}))[:10]
    md = render_handbook_md(sop, lang)
    md = re.sub(r"```.*?```", " ", md, flags=re.S)  # diagram sources
    ticked = set(re.findall(r"`([^`]+)`", md))
    assert not ticked & (triggers | codes | {sop.sop}), sorted(ticked & (triggers | codes | {sop.sop}))[:10]
    for key in ("record_consent", "approve_plan", "single_headed_household"):
        assert not re.search(rf"(?<![\w-]){key}(?![\w-])", re.sub(r"<[^>]+>", " ", text)), key
