"""Loader tests: the reference and fixture SOPs load with the exact values written, models survive a
dump/load round trip, random valid SOPs round-trip and lint clean, and no mangled file makes the
loader raise anything but :class:`SOPError`."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from mno_workflow.sop.diagnostics import SOPError
from mno_workflow.sop.lint import lint
from mno_workflow.sop.loader import load_file, load_text
from mno_workflow.sop.schema import SOP, ByField, Duration, Unit
from tests.conftest import BF_VERSION

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "sops" / "burkina_faso" / "mnr.yaml"
VALID = ROOT / "tests" / "fixtures" / "valid_sops"
MINIMAL = VALID / "minimal.yaml"
NO_STRINGS = VALID / "no_strings.yaml"


def dump_yaml(data: Any) -> str:
    buf = io.StringIO()
    yaml = YAML()
    yaml.width = 4096
    yaml.dump(data, buf)
    return buf.getvalue()


# -- fixed SOPs ----------------------------------------------------------------------------------
def test_reference_sop_loads_with_its_values() -> None:
    loaded = load_file(REFERENCE)
    sop = loaded.model
    assert sop.key == ("mnr_bf", BF_VERSION)
    assert sop.languages == ["fr", "en"]
    assert sop.calendar.timezone == "Africa/Ouagadougou" and sop.calendar.holidays == "BF"
    assert sop.start == "identification"
    assert set(sop.roles) == {"caseworker", "supervisor", "provider", "coordinator", "first_responder"}
    assert sop.roles["first_responder"].scope == "reporter" and sop.entries["alert"].start == "alert"
    assert sop.roles["provider"].scope == "recipient"
    assert sop.title["fr"] == "Mécanisme national de référencement — Burkina Faso"
    assert {"identification", "consent", "needs_assessment", "referral", "follow_up",
            "closure"} <= set(sop.steps)
    for sid, step in sop.steps.items():
        assert step.initial_state in step.states, sid
        # issue 13: a refused consent no longer ends anything (direct assistance goes on): the
        # consent step is a record with no final state
        assert step.final_states or sid == "consent", sid
    assert sop.flow[-1].after == "closure.closed" and sop.flow[-1].close_case is True
    assert loaded.path == str(REFERENCE)
    assert len(loaded.sha256) == 64
    assert loaded.source == REFERENCE.read_text(encoding="utf-8")
    assert [d for d in lint(loaded) if d.severity == "error"] == []
    assert loaded.positions.keys[("sop",)] == (8, 1)


def test_minimal_sop_loads_with_its_values() -> None:
    loaded = load_file(MINIMAL)
    sop = loaded.model
    assert sop.key == ("mini", "1")
    assert list(sop.steps) == ["intake", "service"]
    intake, service = sop.steps["intake"], sop.steps["service"]
    assert intake.initial_state == "open" and intake.final_states == ["done"]
    assert service.final_states == ["lapsed", "served"]
    deadline = intake.states["open"].deadline
    assert isinstance(deadline.within, ByField)
    assert deadline.within.by == "intake.priority"
    assert deadline.within.cases == {"urgent": Duration(amount=1, unit=Unit.working_days),
                                     "normal": Duration(amount=5, unit=Unit.working_days)}
    assert deadline.remind == ["50%"] and deadline.on_expiry.escalate == "supervisor"
    pending = service.states["pending"].deadline
    assert pending.within == Duration(amount=10, unit=Unit.days)
    assert pending.on_expiry.fire == "lapse"
    t = intake.transitions[0]
    assert (t.trigger, t.sources, t.dest, t.by, t.form) == ("finish", ["open"], "done", ["caseworker"],
                                                            "intake")
    assert t.when == "intake.name != ''"
    assert service.instances.for_each == "intake.needs" and service.instances.key == "need"
    assert sop.forms["intake"].fields[2].fields[0].options == "need"
    assert sop.options["need"]["medical"] == {"fr": "Soins médicaux", "en": "Medical care"}
    assert [(r.after, r.start, r.close_case) for r in sop.flow] == [
        ("intake.done", "service", False), ("service.all_final", None, True)]
    assert lint(loaded) == []


def test_yaml_1_2_keeps_no_off_yes_as_strings() -> None:
    loaded = load_file(NO_STRINGS)
    sop = loaded.model
    step = sop.steps["ask"]
    assert list(step.states) == ["waiting", "no", "on"]
    assert all(isinstance(s, str) for s in step.states)
    assert step.states["no"].label == {"fr": "Non", "en": "no"}
    assert step.states["on"].label == {"fr": "Oui", "en": "yes"}
    assert list(sop.options["answer"]) == ["NO", "off", "y"]
    assert sop.options["answer"]["y"] == {"fr": "yes", "en": "yes"}
    assert sop.title == {"fr": "oui", "en": "yes"}
    assert step.transitions[0].dest == "no" and step.transitions[1].sources == ["waiting"]
    assert step.transitions[1].dest == "on"
    assert [r.after for r in sop.flow] == ["ask.no", "ask.on"]
    assert lint(loaded) == []


@pytest.mark.parametrize("text, value", [
    ("version: 1.10", None),          # a float, not the string "1.10": must be quoted
    ("version: '0755'", "0755"),
    ('version: "1:30"', "1:30"),
])
def test_version_is_never_coerced(text: str, value: str | None) -> None:
    source = MINIMAL.read_text(encoding="utf-8").replace('version: "1"', text)
    if value is None:
        with pytest.raises(SOPError) as info:
            load_text(source, "v.yaml")
        assert [(d.code, d.line) for d in info.value.diagnostics] == [("E012", 3)]
    else:
        assert load_text(source).model.version == value


def test_unquoted_sexagesimal_and_octal_stay_strings_in_yaml_1_2() -> None:
    source = MINIMAL.read_text(encoding="utf-8").replace("remind: [50%]", "cutoff: 13:00")
    loaded = load_text(source)
    assert str(loaded.model.steps["intake"].states["open"].deadline.cutoff) == "13:00:00"


def test_load_text_reports_path_and_every_error() -> None:
    source = MINIMAL.read_text(encoding="utf-8")
    source = source.replace("        to: done\n", "        to: closed\n")
    source = source.replace("by: [supervisor]", "by: [boss]")
    with pytest.raises(SOPError) as info:
        load_text(source, "some/where.yaml")
    got = sorted((d.path, d.line, d.code) for d in info.value.diagnostics)
    assert got == [("some/where.yaml", 60, "E020"), ("some/where.yaml", 81, "E021")]


def test_lint_warnings_do_not_stop_loading() -> None:
    source = MINIMAL.read_text(encoding="utf-8").replace(
        "  need:\n", "  unused:\n    a: {fr: A, en: A}\n  need:\n")
    loaded = load_text(source, "w.yaml")
    assert [(d.code, d.severity, d.line) for d in lint(loaded)] == [("W104", "warning", 17)]


# -- round trips ---------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [REFERENCE, MINIMAL, NO_STRINGS], ids=lambda p: p.stem)
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_dump_and_reload_gives_an_equal_model(path: Path, fmt: str) -> None:
    model = load_file(path).model
    data = model.model_dump(mode="json", by_alias=True)
    text = dump_yaml(data) if fmt == "yaml" else json.dumps(data, ensure_ascii=False, indent=1)
    again = load_text(text, f"again.{fmt}").model
    assert again == model
    assert again.model_dump(mode="json", by_alias=True) == data


# -- random valid SOPs ---------------------------------------------------------------------------
# YAML 1.1 booleans and null-looking words must survive as plain strings (YAML 1.2).
TRICKY_IDS = ["no", "yes", "on", "off", "y", "n", "null", "true", "false", "nan", "inf"]
TRICKY_TEXT = TRICKY_IDS + ["NO", "Yes", "~", "1:30", "0755", "1e3", "0x1F", ".5", "- a", "a: b", "#x", "'q'",
                            '"dq"', "2025-01-31", "@x", "* b", "? c", "100%", "é\nè"]
IDENTS = st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True) | st.sampled_from(TRICKY_IDS)
TEXT = (st.text(alphabet=st.sampled_from(list("abcXYZ 019éèàçôÉœ'\"’«»:-#,{}[]&*!|>%@`?—\\")),
                min_size=1, max_size=16) | st.sampled_from(TRICKY_TEXT)).filter(lambda s: s.strip())
UNITS = {"minutes": Unit.minutes, "hours": Unit.hours, "days": Unit.days, "working days": Unit.working_days,
         "weeks": Unit.weeks, "months": Unit.months, "day": Unit.days, "working day": Unit.working_days}


def labels(languages: list[str]) -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries({lang: TEXT for lang in languages})


@st.composite
def valid_sops(draw: st.DrawFn) -> tuple[dict, dict]:
    """A random valid SOP as plain data, and the data the loaded model must dump to."""
    langs = draw(st.sampled_from([["fr"], ["fr", "en"], ["fr", "en", "pt"]]))
    label = labels(langs)
    role_ids = draw(st.lists(IDENTS, min_size=1, max_size=3, unique=True))
    roles = {r: {"label": draw(label), "scope": draw(st.sampled_from(["all", "assigned", "recipient"]))}
             for r in role_ids}
    codes = draw(st.lists(st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,5}", fullmatch=True),
                          min_size=1, max_size=4, unique=True))
    options = {"level": {c: draw(label) for c in codes}}
    forms = {"form": {"title": draw(label), "fields": [
        {"id": "level", "type": "choice", "options": "level", "label": draw(label)},
        {"id": "note", "type": "text", "label": draw(label), "required": draw(st.booleans())},
    ]}}
    step_ids = draw(st.lists(IDENTS, min_size=1, max_size=3, unique=True))
    steps, expected_steps = {}, {}
    for sid in step_ids:
        names = draw(st.lists(IDENTS, min_size=2, max_size=4, unique=True))
        finals = draw(st.sets(st.sampled_from(names[1:]), min_size=1))
        states, expected_states = {}, {}
        for i, name in enumerate(names):
            state: dict[str, Any] = {"label": draw(label)}
            if i == 0:
                state["initial"] = True
            if name in finals:
                state["final"] = True
            if draw(st.booleans()):
                state["owner"] = draw(st.sampled_from(role_ids))
            expected_state = copy.deepcopy(state)
            if name not in finals and draw(st.booleans()):
                amount, unit = draw(st.integers(0, 400)), draw(st.sampled_from(sorted(UNITS)))
                if draw(st.booleans()):
                    state["deadline"] = {"within": f"{amount} {unit}"}
                    # durations are dumped as authors write them, in canonical units
                    text = f"{amount} {UNITS[unit].value.replace('_', ' ')}"
                    expected_state["deadline"] = {"within": text}
                else:
                    cases = {c: f"{amount} {unit}" for c in codes}
                    state["deadline"] = {"within": {"by": "form.level", "cases": cases},
                                         "remind": ["50%"]}
                    duration = f"{amount} {UNITS[unit].value.replace('_', ' ')}"
                    expected_state["deadline"] = {
                        "within": {"by": "form.level", "cases": dict.fromkeys(codes, duration)},
                        "remind": ["50%"]}
            states[name], expected_states[name] = state, expected_state
        transitions = []
        for k in range(draw(st.integers(1, 4))):
            sources = draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True))
            t: dict[str, Any] = {
                "trigger": f"t{k}_{draw(IDENTS)}", "label": draw(label),
                "from": sources[0] if len(sources) == 1 and draw(st.booleans()) else sources,
                "to": draw(st.sampled_from(names)),
                "by": draw(st.lists(st.sampled_from(role_ids), min_size=1, max_size=2, unique=True)),
            }
            if draw(st.booleans()):
                t["form"] = "form"
                # option codes compared in a condition must exist (E039): use the drawn ones
                t["when"] = draw(st.sampled_from(["form.note != ''", f"form.level in [{codes[0]!r}]",
                                                  f"size(form.note) > 2 && form.level == {codes[-1]!r}"]))
            transitions.append(t)
        steps[sid] = {"label": draw(label), "states": states, "transitions": transitions}
        expected_steps[sid] = {**steps[sid], "states": expected_states}
    flow = []
    for sid in step_ids:
        final = draw(st.sampled_from(sorted(s for s, v in steps[sid]["states"].items() if v.get("final"))))
        if draw(st.booleans()):
            flow.append({"after": f"{sid}.{final}", "start": draw(st.sampled_from(step_ids))})
        else:
            flow.append({"after": f"{sid}.all_final", "close_case": True})
    data = {
        "sop": draw(IDENTS), "version": draw(st.from_regex(r"[0-9][0-9a-z.\-]{0,8}", fullmatch=True)),
        "title": draw(label), "languages": langs, "roles": roles, "options": options, "forms": forms,
        "start": step_ids[0], "steps": steps, "flow": flow,
    }
    return data, {**data, "steps": expected_steps}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_sops())
def test_random_valid_sop_round_trips_and_lints_clean(sop_and_expected: tuple[dict, dict]) -> None:
    data, expected = sop_and_expected
    text = dump_yaml(data)
    loaded = load_text(text, "random.yaml")
    assert loaded.model == SOP.model_validate(data)
    assert loaded.model.model_dump(mode="json", by_alias=True, exclude_unset=True) == expected
    assert [d for d in lint(loaded) if d.severity == "error"] == []
    # every state name and label is read back exactly, whatever quoting the dumper chose
    for sid, step in data["steps"].items():
        for name, state in step["states"].items():
            assert loaded.model.steps[sid].states[name].label == state["label"]
    # and its positions point at the right lines
    lines = text.split("\n")
    for sid in data["steps"]:
        line, col = loaded.positions.keys[("steps", sid)]
        assert lines[line - 1][col - 1:].startswith((f"{sid}:", f"'{sid}':", f'"{sid}":'))


# -- fuzzing: mangled files only ever raise SOPError ---------------------------------------------
FUZZ_CHARS = st.sampled_from(list(":{}[],-#&*!|>'\"%@`?~ \n\t.0aZéy") + ["\u2028", "\ufeff", "<<"])
SOURCES = {p.stem: p.read_text(encoding="utf-8") for p in (MINIMAL, NO_STRINGS)}


@st.composite
def mutations(draw: st.DrawFn) -> str:
    text = SOURCES[draw(st.sampled_from(sorted(SOURCES)))]
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, max(len(text) - 1, 0)))
        op = draw(st.sampled_from(["delete", "insert", "replace", "cut"]))
        if op == "delete":
            text = text[:i] + text[i + 1:]
        elif op == "insert":
            text = text[:i] + draw(FUZZ_CHARS) + text[i:]
        elif op == "replace":
            text = text[:i] + draw(FUZZ_CHARS) + text[i + 1:]
        else:
            text = text[:i]
    return text


def check_only_sop_error(text: str) -> None:
    try:
        loaded = load_text(text, "fuzz.yaml")
    except SOPError as e:
        assert e.diagnostics
        n_lines = text.count("\n") + 1
        for d in e.diagnostics:
            assert d.path == "fuzz.yaml" and d.severity == "error"
            assert 1 <= d.line <= n_lines + 1 and d.col >= 1, d
            assert d.message and d.hint, d
        return
    for d in lint(loaded):  # a file that loads must also lint without crashing
        assert d.severity in ("warning", "info")


@settings(max_examples=600, deadline=None)
@given(mutations())
def test_mangled_files_only_raise_sop_error(text: str) -> None:
    check_only_sop_error(text)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 3))
def test_each_single_line_deleted_or_duplicated_only_raises_sop_error(seed: int, how: int) -> None:
    lines = SOURCES["minimal"].split("\n")
    i = seed % len(lines)
    if how == 1:
        del lines[i]
    elif how == 2:
        lines.insert(i, lines[i])
    else:
        lines[i] = " " + lines[i]
    check_only_sop_error("\n".join(lines))


@pytest.mark.parametrize("i", range(0, len(SOURCES["minimal"]), 7))
def test_truncated_file_only_raises_sop_error(i: int) -> None:
    check_only_sop_error(SOURCES["minimal"][:i])


# -- known bugs: exceptions other than SOPError escape load_text ---------------------------------
@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x7f", "\ufffe"])
def test_control_character_is_e001(char: str) -> None:
    source = SOURCES["minimal"].replace("Mini POS", f"Mini{char}POS")
    with pytest.raises(SOPError) as info:
        load_text(source, "ctrl.yaml")
    assert [(d.code, d.line) for d in info.value.diagnostics] == [("E001", 4)]


def test_merge_key_raises_only_sop_error() -> None:
    source = SOURCES["minimal"].replace(
        "  supervisor:\n    label:", "  supervisor:\n    <<: {scope: all}\n    label:")
    try:
        load_text(source, "merge.yaml")
    except SOPError:
        pass


def test_deep_nesting_raises_only_sop_error() -> None:
    with pytest.raises(SOPError):
        load_text("sop: " + "[" * 3000 + "]" * 3000 + "\n", "deep.yaml")


def test_deadline_by_text_field_is_an_error() -> None:
    source = SOURCES["minimal"].replace("by: intake.priority", "by: intake.name")
    with pytest.raises(SOPError) as info:
        load_text(source, "by_text.yaml")
    assert [d.line for d in info.value.diagnostics] == [50]


def test_a_field_of_a_step_state_is_e039():
    """Tryout 10, M5: ``steps.consent.given`` passed ``mno validate --strict`` and every send then
    failed at run time; ``steps.<step>`` is the state's code, it has no fields."""
    import re as _re
    text = (Path(__file__).resolve().parents[2] / "docs" / "sop-language.md").read_text(encoding="utf-8")
    base = _re.findall(r"<!-- sop -->\n```yaml\n(.*?)```", text, _re.S)[0]
    bad = base.replace("when: intake.consent,", "when: steps.intake.done,", 1)
    assert bad != base
    with pytest.raises(SOPError) as e:
        load_text(bad, "x.yaml")
    [d] = [d for d in e.value.diagnostics if d.code == "E039"]
    assert "steps.intake.done" in d.message and "steps.intake == 'done'" in d.message
    assert "steps.intake.done" in d.format("fr") and "état" in d.format("fr")
