"""``mno publish``: every document builds for the BF SOP and a smaller SOP, in fr and en; no CEL,
state id or software word outside the authors' annex; PDFs render (pages to PNG in artifacts/);
the training answer keys come from running the scenarios (a changed SOP changes the answers)."""

from __future__ import annotations

import html as htmllib
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.render import diagrams as d
from mno_workflow.render.pdf import html_to_pdf, pdf_page_count, pdf_to_pngs
from mno_workflow.render.plain import software_words
from mno_workflow.render.publish import publish
from mno_workflow.render.training import scenario_exercises, scenarios_of
from mno_workflow.sop.loader import load_file

ROOT = Path(__file__).resolve().parents[2]
BF = ROOT / "sops" / "burkina_faso" / "mnr.yaml"
SMALL = ROOT / "tests" / "fixtures" / "render" / "mini_mnr.yaml"
ARTIFACTS = ROOT / "artifacts" / "documents"

pytestmark = pytest.mark.skipif(not d.dot_available(), reason="Graphviz dot is not installed")


def visible_text(page: str) -> str:
    body = page.split("<body>", 1)[1].split('<div id="annex-authors">', 1)[0]
    body = re.sub(r"<svg.*?</svg>", " ", body, flags=re.S)
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", body))


@pytest.fixture(scope="module")
def bf_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("publish-bf")
    sop = load_file(BF).model
    report = publish(sop, out, BF, pdf=False)
    return sop, out / sop.sop, report


@pytest.fixture(scope="module")
def small_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("publish-small")
    sop = load_file(SMALL).model
    report = publish(sop, out, SMALL, pdf=True)
    return sop, out / sop.sop, report


EXPECTED_BF = ["index.html", "sop-document.html", "handbook.html", "deck.html", "directory.html",
               "pocket-guide-kadiogo.html", "forms/referral-slip.html", "forms/consent-sheet.html",
               "forms/identification.html", "leaflets/returnees.html", "leaflets/community.html",
               "leaflets/partners.html", "leaflets/government.html", "training/pack.html",
               "diagrams/overview.svg", "diagrams/pathway-medical.svg"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_bf_document_is_written(bf_out, lang):
    sop, base, report = bf_out
    for name in EXPECTED_BF:
        assert (base / lang / name).exists(), name
    index = (base / lang / "index.html").read_text(encoding="utf-8")
    assert 'href="sop-document.html"' in index and 'href="deck.html"' in index
    assert report.warnings == []  # every condition of the BF SOP has its when_label


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_software_words_outside_the_annex(bf_out, small_out, lang):
    problems = []
    for sop, base, _ in (bf_out, small_out):
        states = {st for step in sop.steps.values() for st in step.states}
        for path in sorted((base / lang).rglob("*.html")):
            if path.name in ("handbook.html", "index.html"):  # the tool handbook names the software
                continue
            found = software_words(visible_text(path.read_text(encoding="utf-8")), states)
            if found:
                problems.append((str(path.relative_to(base)), sorted(set(found))))
    assert problems == []


def test_small_sop_documents_build_as_pdf(small_out):
    sop, base, report = small_out
    pdfs = [p for p in report.written if p.suffix == ".pdf"]
    assert len(pdfs) >= 10
    for p in pdfs:
        assert p.read_bytes().startswith(b"%PDF"), p
    assert not any("W126" in w for w in report.warnings)  # mini_mnr's conditions all have words (H20)
    assert any("répertoire" in w for w in report.warnings)  # and no directory: said, not silent
    data = (base / "fr" / "deck.pdf").read_bytes()
    assert pdf_page_count(data) == 2 + 2 * len(sop.steps)
    pdf_to_pngs(data, ARTIFACTS / "small-deck", pages=2, scale=0.6)


@pytest.mark.parametrize("name,pages", [("sop-document", 2), ("deck", 3), ("forms/referral-slip", 1),
                                        ("pocket-guide-kadiogo", 2), ("leaflets/returnees", 1)])
def test_bf_pdfs_render_to_png(bf_out, name, pages):
    _sop, base, _ = bf_out
    page = base / "fr" / f"{name}.html"
    data = html_to_pdf(page.read_text(encoding="utf-8"), base_url=str(page.parent))
    count = pdf_page_count(data)
    assert count >= pages
    if name == "pocket-guide-kadiogo":
        assert count == 2  # one A4 sheet, both sides
    if name == "deck":
        import pypdfium2 as pdfium
        w, h = pdfium.PdfDocument(data)[0].get_size()
        assert abs(w / h - 16 / 9) < 0.01
    pngs = pdf_to_pngs(data, ARTIFACTS / f"bf-{name.replace('/', '-')}", pages=pages, scale=0.8)
    assert all(p.stat().st_size > 5000 for p in pngs)


def test_answer_keys_change_with_the_sop(tmp_path):
    folder = tmp_path / "bf"
    shutil.copytree(BF.parent, folder, ignore=shutil.ignore_patterns("directory"))
    sop_file = folder / "mnr.yaml"
    text = sop_file.read_text(encoding="utf-8")
    old = "label: {fr: Consentement à recueillir, en: Consent to be obtained}\n        deadline:\n" \
          "          within: 2 working days"
    assert old in text
    sop_file.write_text(text.replace(old, old.replace("2 working days", "5 working days")), encoding="utf-8")
    first = scenarios_of(BF)[:1]
    before = scenario_exercises(load_file(BF).model, first, "fr", per_scenario=1)
    after = scenario_exercises(load_file(sop_file).model, [folder / "scenarios" / first[0].name], "fr",
                               per_scenario=1)
    assert before[0]["items"][0]["deadline"] == "Consentement à recueillir : au plus tard le 04/06/2025 23:59"
    # 5 working days from Monday 2 June 2025: Tabaski (Friday 6 June) is a public holiday in BF
    assert after[0]["items"][0]["deadline"] == "Consentement à recueillir : au plus tard le 10/06/2025 23:59"


def test_cli_publish(tmp_path):
    r = CliRunner().invoke(app, ["publish", str(SMALL), "-o", str(tmp_path), "--no-pdf", "--lang", "fr"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "mini_mnr" / "fr" / "sop-document.html").exists()
    assert not (tmp_path / "mini_mnr" / "en").exists()
    bad = CliRunner().invoke(app, ["publish", str(SMALL), "-o", str(tmp_path), "--lang", "de"])
    assert bad.exit_code == 2


def test_english_pack_shows_the_english_scenario_titles(bf_out):
    """Issue 19 review: the English training pack names each scenario in English (the titles of
    ``scenario: {fr: …, en: …}``), never in French when an English title exists."""
    from mno_workflow.kit.model import load_scenario

    _sop, base, _ = bf_out
    played = [load_scenario(p) for p in scenarios_of(BF)[:3]]  # render_training's max_scenarios
    assert all("en" in s.titles and s.titles["en"] != s.name for s in played)
    pack = {lang: htmllib.unescape((base / lang / "training" / "pack.html").read_text(encoding="utf-8"))
            for lang in ("fr", "en")}
    for s in played:
        assert s.titles["en"] in pack["en"] and s.name not in pack["en"], s.path
        assert s.name in pack["fr"] and s.titles["en"] not in pack["fr"], s.path
