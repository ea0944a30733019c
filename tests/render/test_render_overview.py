"""The referral overview and the pathway per need: size on a 1280×720 projector, branches, directory facts."""

from __future__ import annotations

from pathlib import Path

import pytest

from mno_workflow.render import diagrams as d
from mno_workflow.render import overview as o
from mno_workflow.render.directory_data import find_directory, read_directory
from mno_workflow.sop.loader import load_file

ROOT = Path(__file__).resolve().parents[2]
BF = ROOT / "sops" / "burkina_faso" / "mnr.yaml"
SMALL = ROOT / "tests" / "fixtures" / "render" / "mini_mnr.yaml"

pytestmark = pytest.mark.skipif(not d.dot_available(), reason="Graphviz dot is not installed")


@pytest.fixture(scope="module")
def bf():
    return load_file(BF).model


@pytest.fixture(scope="module")
def directory():
    return read_directory(find_directory(BF))


def _fits(svg: str) -> tuple[float, float, float]:
    width, height = o.svg_size(svg)
    smallest = min(o.font_sizes(svg)) * 1280 / width
    return width, height, smallest


@pytest.mark.parametrize("path", [BF, SMALL], ids=["bf", "small"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_overview_fits_a_projector(path, lang):
    sop = load_file(path).model
    svg = d.render_bytes(o.overview_dot(sop, lang), "svg").decode()
    width, height, smallest = _fits(svg)
    assert width <= 2560 and height <= 1440, (width, height)
    assert smallest >= 14, f"smallest label {smallest:.1f} px when fitted to 1280 wide"
    for sid in sop.steps:  # one box per step
        assert f'id="overview.{sid}"' in svg


def test_overview_is_left_to_right_in_step_order(bf):
    svg = d.render_bytes(o.overview_dot(bf, "fr"), "svg").decode()
    import re
    xs = {}
    for sid in bf.steps:
        m = re.search(rf'<g id="overview\.{sid}" class="node">.*?<path[^>]*d="M([\d.]+)', svg, re.S)
        assert m, sid
        xs[sid] = float(m.group(1))
    # every step a flow rule starts is drawn right of the step it follows (parallel steps such as
    # the immediate referral and the best-interests assessment share a column with their siblings)
    # (issue 13 item 5) the step of an SOP entry (a first responder's alert) is drawn in the start's
    # column, beside it: its rule into ``start`` is not a left-to-right pair
    entry_steps = {e.start for e in bf.entries.values()}
    assert entry_steps and all(abs(xs[e] - xs[bf.start]) < 30 for e in entry_steps)
    pairs = [(rule.after.split(".")[0], rule.start) for rule in bf.flow
             if rule.start and rule.after.split(".")[0] not in entry_steps]
    assert pairs
    late = [(a, b) for a, b in pairs if a != b and not xs[a] < xs[b]]
    assert late == [], late
    assert xs[bf.start] == min(x for s, x in xs.items() if s not in entry_steps)


def test_overview_shows_entry_points_emergency_and_child_branches(bf):
    dot = o.overview_dot(bf, "fr")
    assert "Points d&#39;entrée" in dot or "Points d'entrée" in dot
    for option in bf.options["return_mode"].values():
        assert option["fr"].split()[0] in dot
    assert "overview.referral.emergency" in dot and "Urgence vitale :<BR/>24 heures" in dot
    assert "overview.identification.child" in dot and "donneur" in dot
    # the condition of the child branch is in words, never CEL
    assert "has(" not in dot and "exists(" not in dot and "==" not in dot


def test_small_sop_without_branches_has_none():
    sop = load_file(SMALL).model
    dot = o.overview_dot(sop, "fr")
    assert ".child" not in dot and "_entry" not in dot


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_pathway_lists_the_region_providers_with_contact_and_response(bf, directory, lang):
    svg = d.render_bytes(o.pathway_dot(bf, directory, "medical", "kadiogo", lang), "svg").decode()
    width, height, smallest = _fits(svg)
    assert width <= 2560 and height <= 1440 and smallest >= 14
    expected = [s for link, ss in directory.for_need("medical", "kadiogo") for s in ss[:4]]
    assert expected, "the BF directory has a health service in Kadiogo"
    for s in expected:
        assert f"pathway_service.{s.id}".replace("-", "&#45;") in svg
        assert s.phones[0] in svg
    words = "Réponse" if lang == "fr" else "Response"
    assert words in svg


def test_pathway_of_a_region_without_provider_says_so(bf, directory):
    # a region with no service of this need's types gets the "no provider" line, not a silent gap
    from dataclasses import replace
    only_legal = replace(directory, services=[s for s in directory.services if "legal_aid" in s.types])
    medical = o.pathway_dot(bf, only_legal, "medical", "kadiogo", "fr")
    assert "Aucun prestataire<BR/>dans cette région" in medical
    assert "Aucun prestataire" not in o.pathway_dot(bf, only_legal, "legal", "kadiogo", "fr")


def test_unknown_need_is_an_error(bf, directory):
    with pytest.raises(KeyError):
        o.pathway_dot(bf, directory, "no_such_need", "kadiogo")


def test_committed_overview_is_up_to_date(bf, directory):
    for lang in bf.languages:
        # issue 19: each language reads the directory with its translations (English pathways)
        directory = read_directory(find_directory(BF), lang, public=True)  # committed: the public form
        for name, dot_text in o.pathway_sources(bf, directory, lang).items():
            committed = ROOT / "diagrams" / bf.sop / lang / f"{name}.dot"
            assert committed.read_text(encoding="utf-8") == dot_text, (
                f"{committed} is stale; run: mno diagram sops/burkina_faso/mnr.yaml --all -o diagrams")
