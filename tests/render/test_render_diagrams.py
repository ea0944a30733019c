"""Diagrams: content of DOT and Mermaid, escaping, rendering with dot, DotNotFound, files written."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mno_workflow.render import diagrams as d
from mno_workflow.sop.schema import SOP, Duration

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
PNG_MAGIC, PDF_MAGIC = b"\x89PNG\r\n\x1a\n", b"%PDF-"


def html_esc(text: str) -> str:
    """The escaping diagrams.py applies inside HTML-like labels."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def squash(dot_text: str) -> str:
    """DOT text with label line breaks removed, so wrapped labels can be searched as one string."""
    return re.sub(r"\s*<BR/>\s*", " ", dot_text)


# ------------------------------------------------------------------------------------------ words

@pytest.mark.parametrize(("text", "fr", "en"), [
    ("24 hours", "24 heures", "24 hours"),
    ("1 hour", "1 heure", "1 hour"),
    ("10 working days", "10 jours ouvrables", "10 working days"),
    ("1 working day", "1 jour ouvrable", "1 working day"),
    ("14 days", "14 jours", "14 days"),
    ("2 weeks", "2 semaines", "2 weeks"),
    ("1 month", "1 mois", "1 month"),
    ("3 months", "3 mois", "3 months"),
    ("30 minutes", "30 minutes", "30 minutes"),
])
def test_duration_words__both_languages(text: str, fr: str, en: str) -> None:
    dur = Duration.model_validate(text)
    assert d.duration_words(dur, "fr") == fr
    assert d.duration_words(dur, "en") == en


def test_deadline_words__by_field_in_option_order(mini: SOP) -> None:
    sent = mini.steps["referral"].states["sent"].deadline
    assert d.deadline_words(mini, sent, "fr") == \
        "Urgence vitale : 24 heures / Urgent : 72 heures / Normal : 10 jours ouvrables"
    assert d.deadline_words(mini, sent, "en") == \
        "Emergency: 24 hours / Urgent: 72 hours / Normal: 10 working days"


def test_guard_label__message_else_words(mini: SOP) -> None:
    """Issue 19 review: an unlabelled guard is put into words, no longer printed as CEL (this test
    asserted « !consent.given » before)."""
    confirm, refuse, register = (next(t for t in mini.steps["identification"].transitions if t.trigger == n)
                                 for n in ("confirm", "refuse", "register"))
    assert d.guard_label(mini, confirm, "fr") == "Le consentement doit être donné"
    assert d.guard_label(mini, confirm, "en") == "Consent must be given"
    assert d.guard_label(mini, refuse, "en") == "“Consent given”: no"
    assert d.guard_label(mini, refuse, "fr") == "« Consentement donné » : non"
    assert d.guard_label(mini, register, "fr") == ""


# ------------------------------------------------------------------------------------------ DOT content

@pytest.mark.parametrize("lang", ["fr", "en"])
def test_flow_dot__has_every_state_transition_role_form_and_deadline(mini: SOP, lang: str) -> None:
    text = squash(d.flow_dot(mini, lang))
    for step in mini.steps.values():
        assert html_esc(mini.label(step.label, lang)) in text
        for st in step.states.values():
            assert html_esc(mini.label(st.label, lang)) in text
            if st.deadline:
                for case in d.deadline_cases(mini, st.deadline, lang):
                    assert html_esc(case) in text, case
        for t in step.transitions:
            assert html_esc(mini.label(t.label, lang)) in text
            if t.form:
                assert html_esc(mini.label(mini.forms[t.form].title, lang)) in text
            if t.when:
                assert html_esc(d.guard_label(mini, t, lang)) in text
    for role in mini.roles.values():
        assert html_esc(mini.label(role.label, lang)) in text
    assert d.CLOCK in text
    with_deadline = [st for s in mini.steps.values() for st in s.states.values() if st.deadline]
    assert text.count(d.CLOCK) == len(with_deadline) == 6


def test_flow_dot__french_words_and_markers(mini: SOP) -> None:
    text = squash(d.flow_dot(mini, "fr"))
    for needle in ("◷ 24 heures", "◷ 3 jours ouvrables", "◷ Urgence vitale : 24 heures",
                   "Normal : 10 jours ouvrables", "◷ 14 jours", "◷ 2 semaines", "◷ 1 mois",
                   "&#91;Le consentement doit être donné&#93;", "&#91;« Consentement donné » : non&#93;",
                   "Début",
                   "Dossier clôturé",
                   "Terminée pour chaque élément", "par Gestionnaire de cas, Superviseur",
                   "en parallèle : une fois pour chaque « Besoins »", "Tout état non final",
                   'fontname="DejaVu Sans"'):
        assert needle in text, needle
    assert "cluster_identification" in text and "cluster_referral" in text and "cluster_closure" in text
    # Final states have a double border; waiting states (with an owner) their own fill.
    assert re.search(r'"referral\.declined" \[[^\]]*peripheries=2', text)
    assert re.search(r'"referral\.sent" \[[^\]]*fillcolor="#FFF3C4"', text)
    assert not re.search(r'"referral\.declined" \[[^\]]*fillcolor="#FFF3C4"', text)


def test_flow_dot__english(mini: SOP) -> None:
    text = squash(d.flow_dot(mini, "en"))
    for needle in ("◷ 24 hours", "◷ 3 working days", "Emergency: 24 hours", "Normal: 10 working days",
                   "Start", "Case closed", "Done for every item", "&#91;Consent must be given&#93;"):
        assert needle in text, needle
    assert "jours" not in text and "Gestionnaire" not in text


def test_flow_dot__flow_rules_are_edges_between_steps(mini: SOP) -> None:
    flows = [(a, b, attrs) for a, b, attrs in d.dot_edges(d.flow_dot(mini))
             if "mno_flow" in attrs]
    pairs = {(a, b) for a, b, _ in flows}
    assert ("_start", "identification.new") in pairs
    assert ("identification.identified", "referral.draft") in pairs
    assert ("identification.refused", "closure.pending") in pairs
    assert ("referral._all_final", "closure.pending") in pairs
    assert ("closure.closed", "_closed") in pairs
    assert len(flows) == len(mini.flow) + 1


def test_step_dot__one_step_only(mini: SOP) -> None:
    text = d.step_dot(mini, "closure", "fr")
    assert "closure.pending" in text and "referral.sent" not in text
    assert "rankdir=LR" in text
    with pytest.raises(KeyError, match="unknown step 'nope'"):
        d.step_dot(mini, "nope")


def test_fonts_are_readable_when_projected(mini: SOP) -> None:
    text = d.flow_dot(mini)
    node_defaults = re.search(r"\bnode \[([^\]]*)\]", text).group(1)
    assert 'fontname="DejaVu Sans"' in node_defaults
    assert int(re.search(r"fontsize=(\d+)", node_defaults).group(1)) >= 14
    sizes = [int(s) for s in re.findall(r'POINT-SIZE="(\d+)"', text)]
    assert min(sizes) >= 12


def test_swimlanes__one_lane_per_owner_role(mini: SOP) -> None:
    text = d.step_dot(mini, "referral", "fr", swimlanes=True)
    assert 'subgraph "cluster_referral.lane.provider"' in text
    assert 'subgraph "cluster_referral.lane.caseworker"' in text
    lane = text.split('subgraph "cluster_referral.lane.provider"')[1].split("}")[0]
    assert "Point focal du prestataire" in lane
    assert '"referral.sent"' in lane and '"referral.accepted"' in lane and '"referral.draft"' not in lane
    assert d.edges_of_dot(text) == d.transition_facts(mini, "fr", "referral")
    assert "cluster_identification.lane.caseworker" in d.flow_dot(mini, "fr", swimlanes=True)


# ------------------------------------------------------------------------------------------ case

def test_case_dot__path_numbered_and_current_state_marked(mini: SOP) -> None:
    path = [("draft", "send", "sent"), ("sent", "accept", "accepted"), ("accepted", "revoke", "revoked")]
    text = d.case_dot(mini, "referral", "en", path=path, current="revoked")
    edges = d.dot_edges(text)
    send = next(a for t, h, a in edges if (t, h) == ("referral.draft", "referral.sent"))
    assert send.get("color") == "#0B5CAD" and send.get("penwidth") == "3.5"
    assert send["label"].startswith("<<B>1. Send")
    accept = next(a for t, h, a in edges if (t, h) == ("referral.sent", "referral.accepted"))
    assert "2. Accept" in accept["label"]
    decline = next(a for t, h, a in edges if (t, h) == ("referral.sent", "referral.declined"))
    assert "color" not in decline
    # The wildcard step gets its own highlighted edge from the real state.
    extra = [a for t, h, a in edges if (t, h) == ("referral.accepted", "referral.revoked")]
    assert extra and "3. Revoke" in extra[0]["label"] and extra[0]["mno_path"] == "1"
    assert re.search(r'"referral\.revoked" \[[^\]]*color="#C62828"[^\]]*penwidth=4', text)
    # Path edges do not disturb parity.
    assert d.edges_of_dot(text) == d.transition_facts(mini, "en", "referral")


def test_case_dot__unknown_state_is_an_error(mini: SOP) -> None:
    with pytest.raises(ValueError, match="'ghost'"):
        d.case_dot(mini, "referral", path=[("draft", "send", "ghost")])
    with pytest.raises(ValueError, match="current state 'ghost'"):
        d.case_dot(mini, "referral", current="ghost")


# ------------------------------------------------------------------------------------------ Mermaid

@pytest.mark.parametrize("lang", ["fr", "en"])
def test_mermaid__every_state_transition_and_deadline(mini: SOP, lang: str) -> None:
    flow = d.flow_mermaid(mini, lang)
    assert flow.startswith("stateDiagram-v2\n")
    for sid, step in mini.steps.items():
        one = d.step_mermaid(mini, sid, lang)
        assert one.startswith("stateDiagram-v2\n")
        for text in (flow, one):
            for st in step.states.values():
                assert mini.label(st.label, lang) in text
                if st.deadline:
                    assert f"◷ {d.deadline_words(mini, st.deadline, lang)}" in text
            arrows = [ln for ln in text.splitlines() if " --> " in ln and "[*]" not in ln
                      and ln.strip().split(" --> ")[0].startswith("s") and " : " in ln]
            for t in step.transitions:
                n = len(d.expand_sources(step, t))
                assert sum(1 for ln in arrows if mini.label(t.label, lang) in ln.split(" : ", 1)[1]
                           and ln.split(" : ", 1)[1].startswith(mini.label(t.label, lang))) >= n
    assert "Urgence vitale : 24 heures / Urgent : 72 heures / Normal : 10 jours ouvrables" in \
        d.flow_mermaid(mini, "fr")
    assert "    [*] --> s1\n" in flow
    assert flow.count("state \"") == sum(len(s.states) for s in mini.steps.values()) + len(mini.steps)


def test_mermaid__step_edges_match_model(mini: SOP) -> None:
    text = d.step_mermaid(mini, "referral", "fr")
    got = set(re.findall(r"^\s+s_(\w+) --> s_(\w+) : ", text, re.M))
    want = {(src, t.dest) for t in mini.steps["referral"].transitions
            for src in d.expand_sources(mini.steps["referral"], t)}
    assert got == want
    assert ("draft", "revoked") in got and ("overdue", "revoked") in got
    assert ("declined", "revoked") not in got  # "*" means non-final states only
    assert "class s_declined,s_completed,s_revoked final" in text


# ------------------------------------------------------------------------------------------ escaping

def test_escaping__dot_has_no_raw_markup(nasty: SOP) -> None:
    for lang in ("fr", "en"):
        text = d.flow_dot(nasty, lang)
        assert "<script>" not in text and "<b>" not in text and "<i>" not in text
        assert "Titre &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in squash(d.flow_dot(nasty, "fr"))
        assert html_esc("Étape « spéciale » <&>") in d.flow_dot(nasty, "fr")
        assert "&quot;terrain&quot;" in d.flow_dot(nasty, "fr")
        assert "Aller -&gt; &quot;là&quot;" in d.flow_dot(nasty, "fr")
    # Guards are read back exactly, quotes and ampersands included. An unlabelled guard of no
    # known shape is drawn in words, not as its CEL (issue 19 review; it was the CEL text before).
    facts = d.edges_of_dot(d.flow_dot(nasty, "fr"))
    assert d.EdgeFact("only", "open", "go", "doing", "dans certains cas (voir l'annexe)") in facts
    assert d.EdgeFact("only", "doing", "finish", "done", 'Score "positif" & <valide>') in facts


def test_escaping__mermaid_uses_entity_codes(nasty: SOP) -> None:
    text = d.flow_mermaid(nasty, "en")
    body = "\n".join(ln for ln in text.splitlines() if not ln.strip().startswith("classDef"))
    assert "<b>" not in body and "Finish #lt;b#gt;" in body and "Special step #lt;#amp;#gt;" in body
    assert "Field #lt;agent#gt; #amp; co" in body
    for ln in body.splitlines():
        if ln.strip().startswith('state "'):
            inner = ln.split('state "', 1)[1].rsplit('" as ', 1)[0]
            assert '"' not in inner and ";" not in inner.replace("#quot;", "").replace("#lt;", "") \
                .replace("#gt;", "").replace("#amp;", "").replace("#123;", "").replace("#125;", "") \
                .replace("#124;", "").replace("#92;", "").replace("#59;", "")


@needs_dot
def test_escaping__nasty_labels_render_and_stay_text(nasty: SOP) -> None:
    for lang in ("fr", "en"):
        svg = d.render_bytes(d.flow_dot(nasty, lang), "svg")
        root = ET.fromstring(svg)
        texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
        assert not list(root.iter("{http://www.w3.org/2000/svg}script"))
        assert b"<script>" not in svg
        if lang == "fr":
            assert "Niveau" not in texts  # field labels are not in the diagram
            assert "Ouvert \"<début>\"" in texts
            assert "Étape « spéciale » <&>" in texts
            assert "Terminé & fermé" in texts
        else:
            assert "Special step <&>" in texts
            assert "[Score \"positive\" & <valid>]" in texts


# ------------------------------------------------------------------------------------------ rendering

@needs_dot
@pytest.mark.parametrize(("fmt", "check"), [
    ("svg", lambda b: ET.fromstring(b).tag == "{http://www.w3.org/2000/svg}svg"),
    ("png", lambda b: b.startswith(PNG_MAGIC)),
    ("pdf", lambda b: b.startswith(PDF_MAGIC)),
])
def test_render__real_dot_writes_each_format(mini: SOP, tmp_path: Path, fmt: str, check) -> None:
    out = d.render(d.flow_dot(mini, "fr"), fmt, tmp_path / "sub" / f"flow.{fmt}")
    data = out.read_bytes()
    assert out == tmp_path / "sub" / f"flow.{fmt}" and len(data) > 1000
    assert check(data)


@needs_dot
@pytest.mark.parametrize(("step", "page", "box"), [
    ("referral", "16:9", (960, 540)), ("referral", "a4", (841, 595)), ("referral", "a4-portrait", (595, 841)),
    (None, "a4", (595, 841)), (None, "a4-landscape", (841, 595)),
])
def test_render__pdf_page_sizes(mini: SOP, step: str | None, page: str, box: tuple[int, int]) -> None:
    src = d.step_dot(mini, step) if step else d.flow_dot(mini)
    pdf = d.render_bytes(src, "pdf", page=page)
    w, h = (float(x) for x in re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)", pdf).groups())
    assert abs(w - box[0]) <= 2 and abs(h - box[1]) <= 2


def test_render__bad_arguments(mini: SOP) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        d.render_bytes(d.flow_dot(mini), "gif")
    with pytest.raises(ValueError, match="unknown page"):
        d.render_bytes(d.flow_dot(mini), "pdf", page="letter")


@needs_dot
def test_render__invalid_dot_is_a_render_error() -> None:
    with pytest.raises(d.RenderError, match="dot failed"):
        d.render_bytes("digraph { a -> }", "svg")


def test_missing_dot__typed_error_while_text_still_works(mini: SOP, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert not d.dot_available()
    with pytest.raises(d.DotNotFound, match="apt-get install -y graphviz"):
        d.render(d.flow_dot(mini), "svg", tmp_path / "x.svg")
    assert not (tmp_path / "x.svg").exists()
    with pytest.raises(d.DotNotFound):
        d.write_sop_diagrams(mini, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert "digraph" in d.flow_dot(mini) and d.step_mermaid(mini, "referral").startswith("stateDiagram-v2")
    written = d.write_sop_diagrams(mini, tmp_path / "out", formats=("dot", "mmd"), langs=("fr",))
    assert sorted(p.name for p in written) == sorted(
        f"{n}.{ext}" for n in ["flow", *mini.steps] for ext in ("dot", "mmd"))
    assert isinstance(d.DotNotFound(), d.DiagramError)


# ------------------------------------------------------------------------------------------ files

@needs_dot
def test_write_sop_diagrams__layout_and_determinism(mini: SOP, tmp_path: Path) -> None:
    a = d.write_sop_diagrams(mini, tmp_path / "a")
    b = d.write_sop_diagrams(mini, tmp_path / "b")
    rel = sorted(str(p.relative_to(tmp_path / "a")) for p in a)
    expected = sorted(f"mini_mnr/{lang}/{n}.{ext}" for lang in ("fr", "en")
                      for n in ["flow", "identification", "referral", "closure"]
                      for ext in ("svg", "dot", "mmd"))
    assert rel == expected
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_bytes() == pb.read_bytes(), pa
    assert "Référencement" in (tmp_path / "a/mini_mnr/fr/referral.svg").read_text(encoding="utf-8")
    assert "Referral" in (tmp_path / "a/mini_mnr/en/referral.svg").read_text(encoding="utf-8")
    # expected_diagrams is what a "committed diagrams/ folder is up to date" test compares with.
    files = d.expected_diagrams(mini)
    assert all((tmp_path / "a" / k).read_bytes() == v for k, v in files.items())


def test_write_sop_diagrams__unknown_format(mini: SOP, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="gif"):
        d.write_sop_diagrams(mini, tmp_path, formats=("gif",))
