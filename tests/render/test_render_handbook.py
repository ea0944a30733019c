"""Handbook: every step, state, form, field and deadline in fr and en; well-formed, escaped HTML."""

from __future__ import annotations

import html
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mno_workflow.i18n import gettext
from mno_workflow.render import diagrams as d
from mno_workflow.render import handbook as hb
from mno_workflow.sop.schema import SOP

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class StrictChecker(HTMLParser):
    """Every opened element is closed in order; collects text and errors."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]} at {self.getpos()}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check_html(text: str) -> StrictChecker:
    p = StrictChecker()
    p.feed(text)
    p.close()
    assert p.errors == []
    assert p.stack == []
    return p


def plain(text: str) -> str:
    return " ".join(text.split())


def sop_texts(sop: SOP, lang: str) -> list[str]:
    """Every text the handbook must show: steps, states, forms, fields, options, deadlines, roles."""
    out = [sop.label(sop.title, lang)]
    out += [sop.label(r.label, lang) for r in sop.roles.values()]
    for step in sop.steps.values():
        out.append(sop.label(step.label, lang))
        for st in step.states.values():
            out.append(sop.label(st.label, lang))
            if st.deadline:
                out += d.deadline_cases(sop, st.deadline, lang)
        out += [sop.label(t.label, lang) for t in step.transitions]
    for form in sop.forms.values():
        out.append(sop.label(form.title, lang))
        stack = list(form.fields)
        while stack:
            f = stack.pop()
            out.append(sop.label(f.label, lang))
            out += [sop.label(lbl, lang) for lbl in sop.options.get(f.options or "", {}).values()]
            stack += f.fields or []
    return out


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("svg", [False, pytest.param(True, marks=needs_dot)])
def test_handbook_html__every_text_and_well_formed(all_sops: list[SOP], lang: str, svg: bool) -> None:
    for sop in all_sops:
        text = hb.render_handbook_html(sop, lang, svg=svg)
        assert text.startswith("<!DOCTYPE html>") and f'<html lang="{lang}">' in text
        p = check_html(text)
        body = plain(" ".join(p.text))
        for needle in sop_texts(sop, lang):
            assert plain(needle) in body, needle
        for term in hb.GLOSSARY:  # French message ids: the term in both languages
            assert gettext(term, "en") in body and gettext(term, "fr") in body


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_handbook_md__every_text(mini: SOP, lang: str) -> None:
    text = hb.render_handbook_md(mini, lang)
    unescaped = html.unescape(text.replace("\\", ""))
    for needle in sop_texts(mini, lang):
        assert needle in unescaped, needle
    assert text.count("```mermaid\nstateDiagram-v2\n") == len(mini.steps) + 1
    for step_id in mini.steps:
        assert d.step_mermaid(mini, step_id, lang) in text


def test_handbook__french_words(mini: SOP) -> None:
    text = plain(" ".join(check_html(hb.render_handbook_html(mini, "fr", svg=False)).text))
    for needle in ("Manuel des procédures", "Qui fait quoi", "◷ 24 heures", "◷ 3 jours ouvrables",
                   "Urgence vitale : 24 heures", "Normal : 10 jours ouvrables", "◷ 2 semaines", "◷ 1 mois",
                   "Rappels : à 50 % du délai, 1 jour ouvrable avant l'échéance",
                   "escalade vers Superviseur", "déclenche automatiquement « Marquer en retard »",
                   "tout état non final (Brouillon, Envoyé, Accepté, En retard)",
                   "Ce qui fait entrer un dossier dans chaque état", "à l'ouverture de l'étape",
                   "Le consentement doit être donné",
                   "Étape en parallèle : une fois pour chaque élément de « Besoins »",
                   "choix unique", "groupe répété", "nombre entier", "oui / non", "personnelle", "sensible",
                   "partageable", "pas dans le futur", "minimum 1", "maximum 40", "au moins 1",
                   "Fiches vierges à imprimer", "Glossaire", "gestionnaire de cas", "clôture du dossier",
                   "Après « Identifié » (Identification) → démarrer Référencement",
                   "Après « Clôturé » (Clôture) → clôturer le dossier",
                   "fuseau horaire : Africa/Ouagadougou"):
        assert needle in text, needle
    assert "working days" not in text and "Who does what" not in text
    assert "consent.given" not in text  # a condition with its words: never the expression besides


def test_handbook__english_words(mini: SOP) -> None:
    text = plain(" ".join(check_html(hb.render_handbook_html(mini, "en", svg=False)).text))
    for needle in ("Procedures handbook", "Who does what", "◷ 24 hours", "◷ 3 working days",
                   "Emergency: 24 hours", "Normal: 10 working days", "2 weeks", "1 month",
                   "at 50% of the period, 1 working day before the due time", "escalate to Supervisor",
                   "single choice", "repeated group", "personal", "sensitive", "Blank forms to print",
                   "Glossary", "case manager, caseworker", "Consent must be given"):
        assert needle in text, needle
    assert "jours" not in text and "Qui fait quoi" not in text


def test_handbook__raci_table(mini: SOP) -> None:
    ctx = hb.handbook_context(mini, "fr", svg=False)
    assert ctx["raci_steps"] == ["Identification", "Référencement", "Clôture"]
    rows = {r["role"]: r["cells"] for r in ctx["raci"]}
    assert rows["Gestionnaire de cas"] == ["déclenche, responsable", "déclenche, responsable", ""]
    assert rows["Superviseur"] == ["escalade", "déclenche, responsable, escalade", "déclenche, responsable"]
    assert rows["Point focal du prestataire"] == ["", "déclenche, responsable", ""]


def test_handbook__moves_into_each_state(mini: SOP) -> None:
    ctx = hb.handbook_context(mini, "en", svg=False)
    referral = next(s for s in ctx["steps"] if s["id"] == "referral")
    moves = {m["state"]: [t["label"] for t in m["by"]] for m in referral["moves_into"]}
    assert moves["Service delivered"] == ["Report service delivered"]
    assert moves["Revoked"] == ["Revoke"]
    assert moves["Draft"] == [] and next(m for m in referral["moves_into"] if m["state"] == "Draft")["entry"]


def test_handbook__blank_sheets_per_form(mini: SOP) -> None:
    text = hb.render_handbook_html(mini, "fr", svg=False)
    p = check_html(text)
    sheets = [a["id"] for tag, a in p.tags if tag == "section" and "sheet" in a.get("class", "").split()]
    assert sheets == [f"sheet-{fid}" for fid in mini.forms]
    assert re.search(r"section\.sheet \{[^}]*page-break-before: always", text)
    closure = text.split('id="sheet-closure"')[1].split("</section>")[0]
    for label in ("Objectifs atteints", "A quitté la zone", "A choisi d&#39;arrêter"):
        assert f'<span class="box" aria-hidden="true"></span> {label}' in closure
    assert "une seule réponse" in closure
    identification = text.split('id="sheet-identification"')[1].split("</section>")[0]
    assert "__ / __ / ____" in identification  # date of birth
    assert identification.count('<div class="write"></div>') >= 5
    assessment = text.split('id="sheet-assessment"')[1].split("</section>")[0]
    assert '<table class="grid">' in assessment and "<th>Besoin *</th>" in assessment


def test_handbook__autoescaped(nasty: SOP) -> None:
    for lang in ("fr", "en"):
        text = hb.render_handbook_html(nasty, lang, svg=False)
        check_html(text)
        assert "<script" not in text and "<b>" not in text and "<i>" not in text and "<agent>" not in text
        assert "&lt;script&gt;" in text
        md = hb.render_handbook_md(nasty, lang)
        assert "<script" not in md and "<b>" not in md and "&lt;script&gt;" in md
    md = hb.render_handbook_md(nasty, "fr")
    assert "Contrôle \\{rapide\\} \\| \"&lt;urgent&gt;\"" in md  # a pipe cannot break a table
    en_html = hb.render_handbook_html(nasty, "en", svg=False)
    assert "Finish &lt;b&gt;" in en_html and "Field &lt;agent&gt; &amp; co" in en_html


@needs_dot
def test_handbook__embeds_svg_when_dot_exists(mini: SOP) -> None:
    text = hb.render_handbook_html(mini, "fr")
    assert text.count("<svg") == len(mini.steps) + 1
    assert '<pre class="mermaid">' not in text and "<?xml" not in text and "<!DOCTYPE svg" not in text
    check_html(text)


def test_handbook__mermaid_without_dot(mini: SOP, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    paths = hb.write_handbook(mini, tmp_path / "out", "fr")
    assert [p.relative_to(tmp_path / "out").as_posix() for p in paths] == \
        ["mini_mnr/fr/handbook.html", "mini_mnr/fr/handbook.md"]
    text = paths[0].read_text(encoding="utf-8")
    assert "<svg" not in text and text.count('<pre class="mermaid">') == len(mini.steps) + 1
    check_html(text)
    with pytest.raises(d.DotNotFound):
        hb.render_handbook_html(mini, "fr", svg=True)


def test_handbook__bad_arguments(mini: SOP, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'de'"):
        hb.render_handbook_html(mini, "de")
    with pytest.raises(ValueError, match="pdf"):
        hb.write_handbook(mini, tmp_path, formats=("pdf",))
