"""``mno validate --simulate`` (also run by ``mno test``): evaluate an SOP on generated sample cases.

For every state with a deadline and every condition (transition and flow ``when``, ``for_each``
``where``, deadline ``wait_for`` / ``until``: errors only for these two), sample case data is drawn
with hypothesis strategies built from the form definitions (every field type, optional fields left
empty, repeat groups of 0-3 items). The forms submitted on the way *into* a state are filled (their
required fields always); every other form is filled or not yet submitted. Reported at the YAML
position of what is wrong (warnings, so ``--strict`` fails):

* W120 a deadline that cannot be armed for some sample (its ``by`` field empty, its ``start`` field
  missing, e.g. filled only by a transition *leaving* that state);
* W121 an automatic trigger (``on_expiry: {fire: …}``) that would be refused: its transition needs
  a form with required fields (nobody fills it at expiry) or its guard is false for some sample;
* W122 a condition that raises for some sample (a ``guard_error`` at run time), with the sample;
* W123 a condition with the same value on every sample (always true or always false in practice);
* W124 a reachable non-final state with no way out for the sample cases (no transition, no
  deadline action) where a case gets stuck with nothing to do.

No database is written; deadlines are computed with the SOP's own calendar (no overrides).
"""

from __future__ import annotations

import copy
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NonInteractiveExampleWarning

from ..engine.calendar import BusinessCalendar
from ..engine.deadlines import due_in_force
from ..sop.celtypes import ENV_KEY, type_env
from ..sop.diagnostics import Diagnostic, said
from ..sop.expr import ExprError, compile_expr
from ..sop.lint import reachable_states
from ..sop.loader import LoadedSOP
from ..sop.schema import SOP, FieldType, FormField

NOW = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
SAMPLES = 40
#: names whose values the sample cases do not vary (other steps' states and instances: every
#: sample has none open), so a condition reading them is not "constant" for lack of variety
_NOT_SIMULATED = frozenset({"steps", "instance_keys", "open_instances"})


def field_strategy(sop: SOP, f: FormField) -> st.SearchStrategy[Any]:
    """Values of field ``f`` as the engine stores them (JSON: dates as ISO text)."""
    codes = sorted(sop.options.get(f.options or "", {})) or ["x"]
    days = st.integers(-400, 30)
    match f.type:
        case FieldType.boolean:
            return st.booleans()
        case FieldType.integer:
            lo, hi = int(f.min) if f.min is not None else -5, int(f.max) if f.max is not None else 100
            return st.integers(lo, max(lo, hi))
        case FieldType.number:
            lo, hi = f.min if f.min is not None else -5.0, f.max if f.max is not None else 100.0
            return st.floats(lo, max(lo, hi), allow_nan=False)
        case FieldType.date:
            return days.map(lambda n: (NOW.date() + timedelta(days=n)).isoformat())
        case FieldType.datetime:
            return st.integers(-400 * 24, 24).map(
                lambda h: (NOW + timedelta(hours=h)).isoformat().replace("+00:00", "Z"))
        case FieldType.choice:
            return st.sampled_from(codes)
        case FieldType.multi:
            return st.lists(st.sampled_from(codes), min_size=1, unique=True)
        case FieldType.phone:
            return st.just("+22670000000")
        case FieldType.repeat:
            return st.lists(record_strategy(sop, f.fields or []), min_size=f.min_items or 0,
                            max_size=max(f.min_items or 0, 3))
        case _:
            return st.sampled_from(["", "texte", "Aminata Sawadogo"])


def record_strategy(sop: SOP, fields: list[FormField]) -> st.SearchStrategy[dict]:
    """A form's data: required fields always there, optional ones present or left empty."""
    parts = {}
    for f in fields:
        value = field_strategy(sop, f)
        parts[f.id] = value if f.required else st.one_of(st.none(), value)
    return st.fixed_dictionaries(parts).map(lambda d: {k: v for k, v in d.items() if v is not None})


def case_strategy(sop: SOP, maybe_empty: set[str]) -> st.SearchStrategy[dict]:
    """Case data: the forms in ``maybe_empty`` submitted or not yet, every other form submitted
    (required fields filled, optional ones filled or not)."""
    parts = {}
    for fid, form in sop.forms.items():
        rec = record_strategy(sop, form.fields)
        parts[fid] = st.one_of(st.just({}), rec) if fid in maybe_empty else rec
    return st.fixed_dictionaries(parts)


def _maybe_empty(step: Any, state: str | None) -> set[str]:
    """Forms of ``step`` that may not be submitted yet in ``state``: those the step submits, except
    on a transition entering ``state`` (forms of other steps were submitted earlier)."""
    own = {f for t in step.transitions for f in t.forms}  # every form of ``form: [a, b]``
    return own - ({f for t in step.transitions if t.dest == state for f in t.forms} if state else set())


#: Examples already drawn in this process, by (repr of the strategy, n). The draw is derandomized
#: (same strategy, same examples), and the repr names every bound, option code and lambda source
#: of the strategies built here: ``mno test`` simulating the same SOP again (the workbench, a test
#: suite, several scenario folders) reuses them instead of drawing for ~10 s of CPU again.
_DRAWN: dict[tuple[str, int], list[Any]] = {}
_DRAWN_MAX = 512


def samples(strategy: st.SearchStrategy[Any], n: int = SAMPLES) -> list[Any]:
    """``n`` examples of ``strategy`` drawn by hypothesis (the empty/smallest ones included);
    a fresh deep copy of the examples drawn before for an identical strategy (see ``_DRAWN``)."""
    key = (repr(strategy), n)
    if key not in _DRAWN:
        if len(_DRAWN) >= _DRAWN_MAX:
            _DRAWN.clear()
        _DRAWN[key] = _draw(strategy, n)
    return copy.deepcopy(_DRAWN[key])


def _draw(strategy: st.SearchStrategy[Any], n: int) -> list[Any]:
    out: list[Any] = []

    @settings(max_examples=n, database=None, derandomize=True, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(value: Any) -> None:
        out.append(value)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NonInteractiveExampleWarning)
        collect()
    return out


def _context(sop: SOP, data: dict, env: Any, item: dict | None = None) -> dict:
    ctx: dict[str, Any] = {fid: {} for fid in sop.forms}
    ctx.update(data)
    ctx.update({"item": item or {}, "steps": {}, "open_instances": {sid: 0 for sid in sop.steps},
                "instance_keys": {sid: [] for sid, st in sop.steps.items()
                                  if not isinstance(st.instances, str)},
                "today": NOW.date().isoformat(),
                "now": NOW.isoformat().replace("+00:00", "Z"), ENV_KEY: env})
    return ctx


def _with_step_start(sop, dl, data: dict) -> dict:
    """``data`` with the instant of a ``start: steps.<step>.<state>`` (engine/step_start.py) when
    that state can be reached: the sample cases hold form data, not step histories, so a clock
    started by another step's state is taken as started the day before (a state that cannot be
    reached is left out, and the deadline is reported as not armable)."""
    from ..engine.deadlines import STEP_INSTANTS
    from ..engine.step_start import PREFIX, is_step_start

    if not is_step_start(dl.start):
        return data
    step_id, _, state = dl.start[len(PREFIX):].partition(".")
    step = sop.steps.get(step_id)
    if step is None or state not in reachable_states(step):
        return data
    return {**data, STEP_INSTANTS: {f"{step_id}.{state}": NOW - timedelta(days=1)}}


_FOUND: dict[tuple[str, str, int], tuple[Diagnostic, ...]] = {}  # (path, content hash, n) → findings


def simulate(loaded: LoadedSOP, n: int = SAMPLES) -> list[Diagnostic]:
    """Every W120-W124 finding of the module doc for ``loaded``, in file order. The same SOP
    text (content hash, imports included) at the same path is simulated once per process: the
    samples are drawn with a fixed seed, so the findings cannot differ (``mno test`` on several
    scenario folders of one SOP, the workbench re-checking an unchanged draft)."""
    key = (str(loaded.path), loaded.sha256, n)
    if key not in _FOUND:
        if len(_FOUND) > 32:  # a long-lived server checking many drafts: keep the newest only
            _FOUND.clear()
        _FOUND[key] = tuple(_simulate(loaded, n))
    return list(_FOUND[key])


def _simulate(loaded: LoadedSOP, n: int) -> list[Diagnostic]:
    sop, d = loaded.model, loaded.diag
    env = type_env(sop)
    cal = BusinessCalendar.from_sop(sop.calendar)
    out: list[Diagnostic] = []
    for sid, step in sop.steps.items():
        base = ("steps", sid)
        item_fields = _item_fields(sop, step)
        live = reachable_states(step)
        for st_name, state in step.states.items():
            dl = state.deadline
            if dl is None or st_name not in live:
                continue
            for data in samples(case_strategy(sop, _maybe_empty(step, st_name)), n):
                data = _with_step_start(sop, dl, data)
                try:
                    due_in_force(dl, NOW, data, cal)
                except (ValueError, KeyError) as e:  # MissingFieldError & co. are ValueErrors
                    out.append(d(base + ("states", st_name, "deadline"), "W120",
                                 said("the deadline of {step}.{state} cannot be armed: {field} may be "
                                      "empty", step=sid, state=st_name, field=e.field)
                                 if getattr(e, "field", None) else
                                 said("the deadline of {step}.{state} cannot be armed for some sample case",
                                      step=sid, state=st_name),
                                 said("make that field required in the form that leads to this state, or "
                                      "choose another field"),
                                 severity="warning"))
                    break
            fire = dl.on_expiry.fire if dl.on_expiry else None
            if fire:
                out += _check_auto(loaded, sid, st_name, fire, n, env, item_fields)
        for i, t in enumerate(step.transitions):
            if t.when:
                maybe = _maybe_empty(step, None) - set(t.forms)
                out += _check_condition(loaded, base + ("transitions", i, "when"), t.when, maybe, n, env,
                                        item_fields)
        for st_name, state in step.states.items():  # conditions waited for: only errors matter
            dl = state.deadline
            for key in ("wait_for", "until"):
                if dl is not None and getattr(dl, key) and st_name in live:
                    out += _check_condition(loaded, base + ("states", st_name, "deadline", key),
                                            getattr(dl, key), _maybe_empty(step, st_name), n, env,
                                            item_fields, constant=False)
        if not isinstance(step.instances, str) and step.instances.where:
            out += _check_condition(loaded, base + ("instances", "where"), step.instances.where, set(), n,
                                    env, item_fields)
    for i, rule in enumerate(sop.flow):
        if rule.when:
            out += _check_condition(loaded, ("flow", i, "when"), rule.when, set(), n, env, None)
    for sid, step in sop.steps.items():
        base = ("steps", sid)
        live = reachable_states(step)
        for st_name in sorted(live):
            state = step.states[st_name]
            if state.final:
                continue
            exits = [t for t in step.transitions if not t.internal and t.dest != st_name
                     and (st_name in t.sources or "*" in t.sources)]
            acts = state.deadline and state.deadline.on_expiry and state.deadline.on_expiry.fire
            if not exits and not acts and not state.lint:
                out.append(d(base + ("states", st_name), "W124",
                             f"a case in {sid}.{st_name} is stuck: no transition leaves it and no deadline "
                             "moves it on", "ajouter une transition de sortie / add a way out",
                             severity="warning", key=True))
    seen, unique = set(), []
    for x in out:
        if (x.line, x.col, x.code) not in seen:
            seen.add((x.line, x.col, x.code))
            unique.append(x)
    return sorted(unique, key=lambda x: (x.line, x.col, x.code))


def _item_fields(sop: SOP, step: Any) -> list[FormField] | None:
    if isinstance(step.instances, str):
        return None
    form_id, _, field_id = step.instances.for_each.partition(".")
    form = sop.forms.get(form_id)
    f = next((x for x in form.fields if x.id == field_id), None) if form else None
    return f.fields if f else None


def _with_items(sop: SOP, data_s: st.SearchStrategy,
                item_fields: list[FormField] | None) -> st.SearchStrategy:
    item = record_strategy(sop, item_fields) if item_fields else st.just({})
    return st.tuples(data_s, item)


def _check_condition(loaded: LoadedSOP, path: tuple, source: str, maybe: set[str], n: int, env: Any,
                     item_fields: list[FormField] | None, *, constant: bool = True) -> list[Diagnostic]:
    sop = loaded.model
    try:
        expr = compile_expr(source)
    except ExprError:
        return []  # E027 already
    if not expr.variables:
        return []  # a constant: E040 / W113 already
    values = set()
    for data, item in samples(_with_items(sop, case_strategy(sop, maybe), item_fields), n):
        try:
            values.add(expr.evaluate(_context(sop, data, env, item)) is True)
        except ExprError as e:
            if expr.variables & _NOT_SIMULATED:
                continue  # the state and instances of other steps are not simulated
            shown = {k: v for k, v in data.items() if v and k in {r for r in expr.variables}}
            return [loaded.diag(path, "W122", said(
                "condition {source!r} raises for a sample case: {error} (data: {data}{item})",
                source=source, error=e, data=shown, item=", item: " + str(item) if item else ""),
                                said("guard optional fields with has(form.field)"), severity="warning")]
    if constant and len(values) == 1 and not expr.variables & _NOT_SIMULATED:
        value = "true" if values.pop() else "false"
        return [loaded.diag(path, "W123", said("condition {source!r} is {value} for every sample case",
                                               source=source, value=value),
                            said("check the condition"), severity="warning")]
    return []


def _check_auto(loaded: LoadedSOP, sid: str, state: str, trigger: str, n: int, env: Any,
                item_fields: list[FormField] | None) -> list[Diagnostic]:
    sop, d = loaded.model, loaded.diag
    step = sop.steps[sid]
    path = ("steps", sid, "states", state, "deadline", "on_expiry", "fire")
    ts = [t for t in step.transitions if t.trigger == trigger and (state in t.sources or "*" in t.sources)]
    if not ts:
        return [d(path, "W121", f"on_expiry fires {trigger!r}, which does not leave {sid}.{state}",
                  said("add a transition {trigger} from {state}", trigger=trigger, state=state),
                  severity="warning")]
    for t in ts:
        full = next((fid for fid in t.forms if fid in sop.forms
                     and any(f.required for f in sop.forms[fid].fields)), None)
        if full:
            return [d(path, "W121", f"the automatic trigger {trigger!r} would be refused: its form "
                      f"{full!r} has required fields and nobody fills it at expiry",
                      said("remove the form of this automatic transition"), severity="warning")]
    guarded = [t for t in ts if t.when]
    if guarded and len(guarded) == len(ts):
        strategy = _with_items(sop, case_strategy(sop, _maybe_empty(step, state)), item_fields)
        for data, item in samples(strategy, n):
            ok = False
            for t in guarded:
                try:
                    ok = ok or compile_expr(t.when).evaluate(_context(sop, data, env, item)) is True
                except ExprError:
                    pass
            if not ok:
                return [d(path, "W121", f"the automatic trigger {trigger!r} would be refused by its guard "
                          f"for a sample case ({guarded[0].when})",
                          "prévoir une transition automatique sans garde / add an unguarded way out at "
                          "expiry", severity="warning")]
    return []
