"""Language of the published documents (issue 19): French spacing before « ; » « : » « ? » « ! »
in every French document, plain French in the tool handbook and the state charts, and no French
left in the English documents. Publishes the Burkina Faso SOP and the small test SOP once (HTML)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mno_workflow.render import diagrams as d
from mno_workflow.render.publish import publish
from mno_workflow.render.typography import NBSP, french_spacing, french_spacing_html, spacing_faults
from mno_workflow.sop.loader import load_file

ROOT = Path(__file__).resolve().parents[2]
BF = ROOT / "sops" / "burkina_faso" / "mnr.yaml"
SMALL = ROOT / "tests" / "fixtures" / "render" / "mini_mnr.yaml"

needs_dot = pytest.mark.skipif(not d.dot_available(), reason="Graphviz dot is not installed")


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    out = tmp_path_factory.mktemp("publish-language")
    bases = []
    for path in (BF, SMALL):
        sop = load_file(path).model
        publish(sop, out, path, pdf=False)
        bases.append((sop, out / sop.sop))
    return bases


# --- French spacing -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Nom : Awa", f"Nom{NBSP}: Awa"),
    ("Nom: Awa", f"Nom{NBSP}: Awa"),
    (f"Nom{NBSP}: Awa", f"Nom{NBSP}: Awa"),
    ("Nom\u202f: Awa", f"Nom{NBSP}: Awa"),
    ("oui ; non", f"oui{NBSP}; non"),
    ("oui; non", f"oui{NBSP}; non"),
    ("Que se passe-t-il ensuite ?", f"Que se passe-t-il ensuite{NBSP}?"),
    ("Attention!", f"Attention{NBSP}!"),
    ("« Oui » : valide", f"« Oui »{NBSP}: valide"),
    ("à 08:00, https://example.org/?a=1", "à 08:00, https://example.org/?a=1"),
    ("a &amp; b; &#39;c&#39;", f"a &amp; b{NBSP}; &#39;c&#39;"),
    ("!has(x) et a != b", "!has(x) et a != b"),
])
def test_french_spacing(text, expected):
    assert french_spacing(text) == expected


def test_french_spacing_html_changes_only_text():
    html = ('<p style="color:red">Nom : <b>Awa</b>: <code>a ? b : c</code></p><style>p{margin:0}</style>'
            '<svg><text>x : y</text></svg><a href="https://x.org/?q=1">lien ?</a>')
    out = french_spacing_html(html)
    assert out == (f'<p style="color:red">Nom{NBSP}: <b>Awa</b>{NBSP}: <code>a ? b : c</code></p>'
                   '<style>p{margin:0}</style><svg><text>x : y</text></svg>'
                   f'<a href="https://x.org/?q=1">lien{NBSP}?</a>')
    assert spacing_faults(out) == []
    faults = [re.search(r"\S+\s?[;:?!]$", f).group() for f in spacing_faults(html)]
    assert faults == ["Nom :", "Awa:", "lien ?"]


@needs_dot
def test_every_french_document_has_a_no_break_space_before_the_signs(published):
    faults = {}
    count = 0
    for _, base in published:
        for path in sorted((base / "fr").rglob("*.html")):
            page = path.read_text(encoding="utf-8")
            count += 1
            if found := spacing_faults(page):
                faults[str(path.relative_to(base.parent))] = found[:5]
    assert count >= 14
    assert faults == {}
    # the check can fail: the same document with plain spaces is caught
    sop_doc = (published[0][1] / "fr" / "sop-document.html").read_text(encoding="utf-8")
    assert len(spacing_faults(re.sub(f"{NBSP}([;:?!])", r" \1", sop_doc))) > 10


def test_french_sop_labels_and_narrative_use_the_no_break_space():
    """The sources say it too (what the web pages show): no plain space before the signs in the
    French text of the BF SOP and its narrative."""
    from mno_workflow.render.narrative_text import find_narrative

    loaded = load_file(BF)
    sop = loaded.model
    texts = []
    for opts in sop.options.values():
        texts += [lab.get("fr", "") for lab in opts.values()]
    for step in sop.steps.values():
        texts += [sop.label(step.label), sop.label(step.description)]
        texts += [sop.label(t.when_message) for t in step.transitions]
        texts += [sop.label(t.label) for t in step.transitions]
    for form in sop.forms.values():
        texts += [sop.label(r.message) for r in form.rules]
        texts += [sop.label(f.help) for f in form.fields]
    narrative = find_narrative(sop, BF)
    texts += [c.text.get("fr", "") for c in narrative.chapters]
    texts += [b.get("fr", "") for b in narrative.blocks.values()]
    bad = [t for t in texts if re.search(r"(?:[ \t]|\w)[;:?!](?=\s|$)", t)]
    assert bad == []


def test_bf_closure_and_outcome_labels_are_plain_french():
    sop = load_file(BF).model
    assert sop.options["referral_outcome"]["no_longer_needed"]["fr"] == "Le service n'est plus nécessaire"
    assert sop.options["closure_reason"]["criteria_not_met"]["fr"] == "Ne remplit plus les critères"


# --- plain words in the tool handbook and the state charts ----------------------------------------

TOOL_WORDS = re.compile(r"\b(instances?|triggers?|clé\s?:|key\s?:|attend\b|waits for)", re.I)


def _text_without_code(page: str) -> str:
    import html as htmllib

    page = re.sub(r"<code>.*?</code>", " ", page, flags=re.S)
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", page))  # SVG text (state charts) included


@needs_dot
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_tool_handbook_says_no_software_words(published, lang):
    found = {}
    for sop, base in published:
        text = _text_without_code((base / lang / "handbook.html").read_text(encoding="utf-8"))
        assert "<svg" in (base / lang / "handbook.html").read_text(encoding="utf-8")  # charts included
        if hits := sorted({m.group(0) for m in TOOL_WORDS.finditer(text)}):
            found[sop.sop] = hits
    assert found == {}
    fr_text = _text_without_code((published[0][1] / "fr" / "handbook.html").read_text(encoding="utf-8"))
    assert "en attente de" in fr_text and "une fois pour chaque élément" in fr_text


def test_state_charts_say_no_software_words():
    """The committed state charts of the BF SOP (``diagrams/``: DOT, Mermaid, SVG) and the charts
    of the small SOP, in both languages."""
    from mno_workflow.render.handbook import render_handbook_md

    found = {}
    charts = sorted(p for p in (ROOT / "diagrams").rglob("*") if p.suffix in (".dot", ".mmd", ".svg"))
    assert len(charts) > 20
    for p in charts:
        if hits := sorted({m.group(0) for m in TOOL_WORDS.finditer(p.read_text(encoding="utf-8"))}):
            found[str(p.relative_to(ROOT))] = hits
    small = load_file(SMALL).model
    for lang in ("fr", "en"):
        texts = [d.flow_dot(small, lang)] + [d.step_dot(small, s, lang) for s in small.steps]
        texts += [render_handbook_md(small, lang)]
        for i, text in enumerate(texts):
            if hits := sorted({m.group(0) for m in TOOL_WORDS.finditer(re.sub(r"`[^`]*`", "", text))}):
                found[f"mini {lang} #{i}"] = hits
    assert found == {}
    assert "en attente de" in d.flow_dot(small, "fr") and "awaiting" in d.flow_dot(small, "en")


# --- no French left in the English documents ------------------------------------------------------

def french_only_strings() -> list[str]:
    """French texts of the directory (keys of its English translations), the French labels of the
    service types, and words of the directory's French data: none may appear in an English
    document."""
    import csv

    from ruamel.yaml import YAML

    folder = ROOT / "sops" / "burkina_faso" / "directory"
    data = YAML(typ="safe").load((folder / "translations.en.yaml").read_text(encoding="utf-8"))
    out = [k for k, v in data["translations"].items() if k != v]
    mapping = ROOT / "mno_workflow" / "directory" / "data" / "need_service_types.csv"
    with open(mapping, encoding="utf-8", newline="") as fh:
        out += [r["label_fr"] for r in csv.DictReader(fh) if r["label_fr"] != r["label_en"]]
    out += ["Point focal", "Gratuit", "adresse fictive", "jours ouvrables", "Jours ouvrables", "(fictif",
            "(fictive", "(illustratif", "Bureau —"]
    return sorted(set(out))


@needs_dot
def test_english_documents_hold_no_french_only_text(published):
    strings = french_only_strings()
    assert len(strings) > 80
    import html as htmllib

    found: dict[str, list[str]] = {}
    count = 0
    _, base = published[0]
    for path in sorted((base / "en").rglob("*")):
        if path.suffix not in (".html", ".svg"):
            continue
        count += 1
        text = htmllib.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))
        text = re.sub(r"\s+", " ", text)
        if hits := [s for s in strings if s in text]:
            found[str(path.relative_to(base))] = hits[:5]
    assert count > 20
    assert found == {}
    # the check can fail: the French documents hold these strings
    fr_directory = (base / "fr" / "directory.html").read_text(encoding="utf-8")
    assert sum(s in htmllib.unescape(fr_directory) for s in strings) > 40


@needs_dot
def test_english_pathway_names_the_service_types_and_providers_in_english(published):
    _, base = published[0]
    svg = (base / "en" / "diagrams" / "pathway-medical.svg").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", svg))
    assert "Health care" in text and "Referral" in text and "Soins de santé" not in text
