"""Design rules of the linter (W1xx, E035, E036): the lint corpus, the reference SOP, edge cases.

Each file of ``tests/fixtures/lint/`` loads (no error) and opens with one or more lines
``# expect: CODE LINE``: ``lint()`` must report exactly those (code, line) pairs, nothing else.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.sop import lint as lint_mod
from mno_workflow.sop.diagnostics import SOPError
from mno_workflow.sop.lint import CODES, field_refs, lint, meaning
from mno_workflow.sop.loader import load_file, load_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LINT_CORPUS = sorted((FIXTURES / "lint").glob("*.yaml"))
BASE = FIXTURES / "valid_sops" / "referral.yaml"
REFERENCE = Path(__file__).resolve().parents[2] / "sops" / "burkina_faso" / "mnr.yaml"
EXPECT_RE = re.compile(r"^# expect: (?P<code>[EW]\d{3}) (?P<line>\d+)(?:\s|$)")


def expectations(path: Path) -> set[tuple[str, int]]:
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("# expect:"):
            break
        m = EXPECT_RE.match(line)
        assert m, line
        out.add((m["code"], int(m["line"])))
    assert out, f"{path.name}: no '# expect: CODE LINE' line"
    return out


def test_lint_corpus_covers_every_design_warning() -> None:
    codes = {c for p in LINT_CORPUS for c, _ in expectations(p)}
    assert {"W101", "W102", "W104", "W106", "W107", "W108", "W109", "W110", "W111", "W112"} <= codes


@pytest.mark.parametrize("path", LINT_CORPUS, ids=lambda p: p.stem)
def test_lint_corpus_reports_exactly_the_expected_warnings(path: Path) -> None:
    # the corpus base has a recipient step and no data_protection: W117 on every file, tested in
    # test_lint__withhold.py, and only its provider answers: W119, tested in test_lint__on_behalf.py;
    # each file here isolates its own rule
    diags = [d for d in lint(load_file(path)) if d.code not in ("W117", "W119")]
    assert {(d.code, d.line) for d in diags} == expectations(path), [d.format() for d in diags]
    for d in diags:
        assert d.severity == CODES[d.code][0], d
        assert d.hint.strip() and d.message.strip(), d


@pytest.mark.parametrize("path", LINT_CORPUS, ids=lambda p: p.stem)
def test_strict_validate_turns_design_warnings_into_errors(path: Path) -> None:
    assert CliRunner().invoke(app, ["validate", str(path)]).exit_code == 0
    result = CliRunner().invoke(app, ["validate", "--strict", str(path)])
    assert result.exit_code == 1
    for code, line in expectations(path):
        pattern = rf"^{re.escape(str(path))}:{line}:\d+: erreur {code} "
        assert re.search(pattern, result.output, re.M), result.output


def test_base_of_the_corpus_is_clean() -> None:
    """Clean but for W117 (no data_protection: test_lint__withhold.py) and W119 (only the provider
    answers: test_lint__on_behalf.py)."""
    assert [d.code for d in lint(load_file(BASE))] == ["W117", "W119"]


def test_reference_sop_warnings_are_the_known_ones() -> None:
    """The Burkina Faso SOP has no error; its remaining advice is about the consent step, whose
    states record the consent in force for as long as the case is open (see the report/docs)."""
    got = [(d.code, d.severity, d.line) for d in lint(load_file(REFERENCE))]
    text = REFERENCE.read_text(encoding="utf-8").split("\n")
    line = {name: next(i + 1 for i, t in enumerate(text) if t == f"      {name}:")
            for name in ("pending", "given", "withdrawn", "overridden", "refused")}
    # issue 12: the SOP justifies them on each state (lint: {allow, reason}), so they are info lines
    # issue 13: the parallel steps' final states (immediate needs, best interests) justify W116;
    # a refusal is no longer final (the case goes on with direct assistance), so the consent step
    # has no final state (W106 on pending, W106/W109 on refused); the referrals' final states
    # start nothing since the follow-up runs alongside them (W116, justified)
    parallel = [next(i + 1 for i, t in enumerate(text) if t == f"      {name}:")
                for name in ("ended", "done")]
    referral_finals = [next(i + 1 for i, t in enumerate(text) if t == f"      {name}:")
                       for name in ("completed", "closed_unmet", "revoked")]
    assert got == [("W106", "info", line["pending"])] + [
        (code, sev, line[s]) for s in ("given", "withdrawn", "overridden", "refused")
        for code, sev in (("W106", "info"), ("W109", "info"))] + [
        ("W116", "info", n) for n in parallel + referral_finals]
    assert all(d.justified for d in lint(load_file(REFERENCE)))


def test_every_code_is_in_the_module_table_and_has_a_severity() -> None:
    doc = lint_mod.__doc__ or ""
    for code, (severity, _meaning) in CODES.items():
        fr, en = meaning(code, "fr"), meaning(code, "en")  # from the catalogues, not from code
        if code >= "E020":
            assert re.search(rf"^\| {code} \| {severity} \|", doc, re.M), code
        assert severity in ("error", "warning", "info") and fr and en
        assert fr != en, f"{code}: no French meaning in fr/LC_MESSAGES/messages.po"
        assert severity == "error" if code.startswith("E") else severity in ("warning", "info")


# -- E035 / E036 details ---------------------------------------------------------------------------
def variant(old: str, new: str) -> str:
    text = BASE.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    return text.replace(old, new)


def codes_of(text: str) -> list[tuple[str, int]]:
    try:
        return [(d.code, d.line) for d in lint(load_text(text, "v.yaml")) if d.code not in ("W117", "W119")]
    except SOPError as e:
        return [(d.code, d.line) for d in e.diagnostics]


def test_moving_between_recipient_states_is_not_a_new_disclosure() -> None:
    # accept goes sent (provider) -> accepted: the provider already sees the referral
    text = variant("      accepted:\n        label: {fr: Accepté, en: Accepted}\n        final: true\n",
                   "      accepted:\n        label: {fr: Accepté, en: Accepted}\n        owner: provider\n"
                   "        deadline: {within: 30 days, on_expiry: {escalate: supervisor}}\n")
    text = text.replace("flow:\n", "      - {trigger: done, label: {fr: Fait, en: Done}, from: accepted, "
                        "to: declined, by: [provider]}\n"
                        "      - {trigger: drop, label: {fr: Abandon, en: Drop}, "
                        "from: accepted, to: draft, by: [caseworker]}\nflow:\n")
    assert codes_of(text) == []


def test_recipient_state_in_a_step_without_recipient_is_not_e035() -> None:
    text = variant("    recipient: referral.provider\n    disclosure: assessment.consent\n", "")
    text = text.replace("        when: assessment.consent\n", "")
    assert [c for c, _ in codes_of(text)] == []


def test_e036_hint_lists_the_known_fields() -> None:
    with pytest.raises(SOPError) as info:
        load_text(variant("when: assessment.consent", "when: assessment.consnt"), "v.yaml")
    [d] = info.value.diagnostics
    assert d.code == "E036" and "consnt" in d.message
    assert d.hint.endswith("fields of form assessment: consent, needs")


def test_w111_two_different_guards_are_not_reported() -> None:
    text = variant("flow:\n", "      - {trigger: send, label: {fr: Envoyer, en: Send}, from: draft,\n"
                              "         to: declined, by: [caseworker], when: \"!assessment.consent\"}\n"
                              "flow:\n")
    assert codes_of(text) == []


def test_w111_guards_differing_only_by_spaces_are_identical() -> None:
    text = variant("flow:\n", "      - {trigger: send, label: {fr: Envoyer, en: Send}, from: [draft],\n"
                              "         to: declined, by: [caseworker], when: \"assessment.consent \"}\n"
                              "flow:\n")
    assert [c for c, _ in codes_of(text)] == ["W111"]


@pytest.mark.parametrize("source, refs", [
    ("consent.given", [("consent", "given")]),
    ("'x.y' in consent.share_with && has(consent.expires_on)",
     [("consent", "share_with"), ("consent", "expires_on")]),
    ('consent["given"] || a.b.c', [("consent", "given"), ("a", "b")]),
    ("needs.list.exists(n, n.need == 'x') && item.key", [("needs", "list"), ("item", "key")]),
    ("size(x.items) > 0 // x.hidden", [("x", "items")]),
    ('"""a.b""" == r"c.d" && e.f()', []),
    ("steps.consent == 'given'", [("steps", "consent")]),
])
def test_field_refs(source: str, refs: list[tuple[str, str]]) -> None:
    assert field_refs(source) == refs


def test_burkina_faso_sop_passes_strict_with_each_warning_justified() -> None:
    """Issue 12: the reference SOP passes ``mno validate --strict``; its three consent states accept
    W106/W109 with a reason (``lint: {allow, reason}``), printed as info lines."""
    from typer.testing import CliRunner

    from mno_workflow.cli import app
    ref = Path(__file__).resolve().parents[2] / "sops" / "burkina_faso" / "mnr.yaml"
    result = CliRunner().invoke(app, ["validate", "--strict", str(ref)])
    assert result.exit_code == 0, result.output
    justified = [line for line in result.output.splitlines()
                 if "(justifié : " in line or "(justified: " in line]
    # issue 13 adds two justified W116 (the parallel best-interests and immediate-needs steps), then
    # W106 on consent.pending, W106/W109 on consent.refused and W116 on the referral's three final
    # states (refusal no longer final; follow-up alongside the referrals)
    assert len(justified) == 14 and all(": info W1" in line for line in justified)
    assert " erreur " not in result.output and " avertissement " not in result.output


def test_allowed_warning_needs_its_own_state_and_code(tmp_path: Path) -> None:
    """An allow on one state does not silence the same warning elsewhere, nor another code."""
    from mno_workflow.sop.lint import lint
    from mno_workflow.sop.loader import load_text
    ref = Path(__file__).resolve().parents[2] / "sops" / "burkina_faso" / "mnr.yaml"
    text = ref.read_text(encoding="utf-8").replace("allow: [W106, W109]", "allow: [W109]", 1)
    diags = lint(load_text(text, "x.yaml"))
    w106 = [d for d in diags if d.code == "W106"]
    # issue 13: consent.pending and consent.refused justify W106 too (the first W106 is pending's)
    assert [d.severity for d in w106] == ["info", "warning", "info", "info", "info"]
    assert not w106[1].justified and all(d.justified for i, d in enumerate(w106) if i != 1)


def test_w101_is_justified_by_an_allow_on_the_final_state_it_leaves() -> None:
    """Tryout 3, F3: W101 (a transition out of a final state) is reported at the transition's
    ``from:``; a ``lint: {allow: [W101]}`` on that final state justifies it (docs: « sur
    l'état »), an allow of another code or on another state does not."""
    from mno_workflow.sop.lint import lint
    from mno_workflow.sop.loader import load_text
    base = (Path(__file__).resolve().parents[1] / "fixtures" / "valid_sops" / "minimal.yaml").read_text(
        encoding="utf-8")
    leaving = base.replace(
        "        from: open\n        to: done\n        by: [caseworker]\n        form: intake\n",
        "        from: open\n        to: done\n        by: [caseworker]\n        form: intake\n"
        "      - trigger: reopen\n        label: {fr: Rouvrir, en: Reopen}\n        from: done\n"
        "        to: open\n        by: [supervisor]\n", 1)
    assert leaving != base

    def w101(text: str) -> list[tuple[str, bool]]:
        return [(d.severity, bool(d.justified)) for d in lint(load_text(text, "x.yaml")) if d.code == "W101"]

    def allow(text: str, state: str, code: str) -> str:
        head = f"      {state}:\n"
        assert text.count(head) == 1, state
        lint_line = f"        lint: {{allow: [{code}], reason: {{fr: Voulu, en: Wanted}}}}\n"
        return text.replace(head, head + lint_line)

    assert w101(leaving) == [("warning", False)]
    assert w101(allow(leaving, "done", "W101")) == [("info", True)]
    assert w101(allow(leaving, "done", "W106")) == [("warning", False)]
    assert w101(allow(leaving, "open", "W101")) == [("warning", False)]


@pytest.mark.parametrize("code, fr, en", [
    ("NIG", "écrire un code de pays ISO 3166 à deux lettres (p. ex. BF, NE, FR)",
     "write a two-letter ISO 3166 country code (e.g. BF, NE, FR)"),
    ("NER", "écrire le code ISO 3166 à deux lettres, 'NE'", "write the two-letter ISO 3166 code, 'NE'"),
    ("ne", "l'écrire en majuscules, 'NE'", "write it in capitals, 'NE'"),
    ("BF-XXXX", "écrire un code de pays ISO 3166 à deux lettres", "write a two-letter ISO 3166 country code"),
])
def test_a_bad_holidays_code_is_said_in_words_not_as_a_pattern(code, fr, en) -> None:
    """Tryout 3, F4: ``holidays: NIG`` was answered with the regex ``^[A-Z]{2}(-[A-Z0-9]{1,3})?$``;
    a three-letter code the ``holidays`` package knows names its two-letter code, small letters
    are told to be capitals; at the value's file:line:col."""
    from mno_workflow.sop.diagnostics import SOPError
    from mno_workflow.sop.loader import load_text
    base = (Path(__file__).resolve().parents[1] / "fixtures" / "valid_sops" / "minimal.yaml").read_text(
        encoding="utf-8")
    text = base.replace("holidays: BF", f"holidays: {code}", 1)
    with pytest.raises(SOPError) as e:
        load_text(text, "x.yaml")
    (d,) = [d for d in e.value.diagnostics if d.code == "E012"]
    line = next(n for n, t in enumerate(text.splitlines(), 1) if f"holidays: {code}" in t)
    assert (d.line, d.col) == (line, text.splitlines()[line - 1].index(f"holidays: {code}") + 11)
    assert fr in d.message.text("fr") and en in d.message.text("en"), d.message.text("fr")
    assert "[A-Z]" not in d.message.text("fr") + d.message.text("en")


@pytest.mark.parametrize("timezone, code, warned", [
    ("Africa/Niamey", "NI", True),  # Nicaragua for Niger's NE: the tryout's slip (F5)
    ("Africa/Niamey", "NE", False),
    ("Africa/Ouagadougou", "BF", False),
    ("Europe/London", "GB-ENG", False),  # a subdivision of the zone's country
    ("Europe/Paris", "BF", True),
    ("UTC", "BF", False),  # a zone of no country: nothing to compare
])
def test_holidays_of_another_country_than_the_time_zone_are_warned(timezone, code, warned) -> None:
    """W171 at calendar.holidays, naming both countries in the reader's language."""
    from mno_workflow.sop.lint import lint
    from mno_workflow.sop.loader import load_text
    base = (Path(__file__).resolve().parents[1] / "fixtures" / "valid_sops" / "minimal.yaml").read_text(
        encoding="utf-8")
    old = "timezone: Africa/Ouagadougou, holidays: BF"
    assert old in base
    text = base.replace(old, f"timezone: {timezone}, holidays: {code}")
    found = [d for d in lint(load_text(text, "x.yaml")) if d.code == "W171"]
    assert bool(found) is warned, found
    if code == "NI":
        assert "NI (Nicaragua)" in found[0].message.text("fr") and "NE (Niger)" in found[0].message.text("en")
        assert "holidays: NE" in found[0].hint.text("fr")
