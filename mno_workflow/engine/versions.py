"""Migrating open cases from one SOP version to another with an explicit, validated state mapping.

Loading a new version never alters running cases (they stay pinned to the version they started
on). Moving them is a deliberate act: every step instance must land in a state that exists in the
new version — unchanged names map to themselves, others need an entry ``step.old_state →
new_state`` — or the whole migration is refused and nothing is written. Map keys and values are
checked against both versions (a typo is refused with the closest known name).

Time is kept (:mod:`mno_workflow.engine.migrate_deadlines`): a deadline whose state maps to a
state with the same rule keeps its start, due instant, extensions and pauses; when the rule
changed, the plan's rule decides (``keep``, ``recompute`` — the default — or ``restart``). Then
the SOP's flow rules run in the same transaction (a case mapped into a final state moves on or
closes), and steps the target version adds start where their flow rule already holds
(:mod:`mno_workflow.engine.migrate_new_steps`). Each migrated case gets one audit event holding
its plan. Source: DESIGN.md "Versioning".
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from ..store.audit import append_event
from ..store.models import Case, SopVersion
from .engine import Actor, WorkflowEngine
from .errors import EngineError, Joined, Message
from .migrate_deadlines import RULES, carry_deadline
from .migrate_new_steps import start_new_steps
from .migrate_notify import notify_new_owners

__all__ = ["RULES", "MigrationPlan", "MigrationRefused", "check_mapping", "migrate_cases",
           "migrate_in_session"]


class MigrationRefused(EngineError):
    """The mapping leaves some case in a step or state that the new version does not have, or
    names a step or state that does not exist. ``details["problems"]``: one :class:`Message`
    per problem (``as_dict`` gives them as text in the reader's language)."""

    code, http_status = "migration_refused", 409

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        body = super().as_dict(lang)
        body["problems"] = [p.text(lang) if isinstance(p, Message) else p for p in body.get("problems", ())]
        return body


@dataclass
class CaseChange:
    """What migration does to one case: ``states`` ``(step:key, old, new)`` for every instance,
    ``deadlines`` (dicts: instance, state, rule, old_due, new_due, note), the flow's ``effects``
    (``started``, ``case_closed``…), ``next_actions`` (``step:key`` → trigger labels) and
    whether the case ends ``closed``."""

    states: list[tuple[str, str, str]] = field(default_factory=list)
    deadlines: list[dict[str, Any]] = field(default_factory=list)
    effects: list[dict[str, Any]] = field(default_factory=list)
    next_actions: dict[str, list[str]] = field(default_factory=dict)
    closed: bool = False


@dataclass
class MigrationPlan:
    """What a migration does (or would do, on a dry run): ``moves[reference]`` lists
    ``(step:key, old_state, new_state)``, ``cases[reference]`` the full :class:`CaseChange`;
    ``problems`` lists why it is refused."""

    source: str
    target: str
    moves: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    cases: dict[str, CaseChange] = field(default_factory=dict)
    problems: list[Message] = field(default_factory=list)
    rule: str = "recompute"
    timezone: str = "UTC"  #: the target SOP's time zone (due instants are shown in it)


def _version(session, ref: str) -> SopVersion:
    sop_id, _, version = ref.partition("@")
    row = session.scalar(select(SopVersion).where(SopVersion.sop_id == sop_id,
                                                  SopVersion.version == version))
    if row is None:
        raise MigrationRefused(Message.t("Version de POS inconnue : {ref} (format id@version).", ref=ref))
    return row


def sop_of(engine, ref: str) -> Any:
    """The SOP model of version ``ref`` (``id@version``, as ``mno sop migrate`` names it)."""
    with engine.sessions() as s:
        return engine.registry.compiled(_version(s, ref)).sop


def _closest(word: str, known) -> Message:
    near = difflib.get_close_matches(word, list(known), n=1, cutoff=0.5)
    if near:
        # TRANSLATORS: appended to a migration problem; {near} is a step or state id the user types
        return Message.t(" ; vouliez-vous dire « {near} » ?", near=near[0])
    return Message.t(" ; connus : {known}", known=", ".join(known))


def check_mapping(old_sop, new_sop, mapping: dict[str, str],
                  deadline_rules: dict[str, str] | None = None) -> list[Message]:
    """Problems (catalogue messages, one per bad entry) of a mapping ``{"step.old_state":
    "new_state"}`` and of per-state deadline rules ``{"step.new_state": "keep"|"recompute"|
    "restart"}``: unknown steps or states are named with the closest known name (difflib). The
    step and state ids stay as typed: they are what the user writes after ``--map``."""
    problems: list[Message] = []
    for key, dest in mapping.items():
        step_id, _, state = key.partition(".")
        if step_id not in old_sop.steps:
            problems.append(Message.t("--map {key} : étape inconnue « {step} »{hint}", key=key, step=step_id,
                                      hint=_closest(step_id, old_sop.steps)))
            continue
        if state not in old_sop.steps[step_id].states:
            problems.append(Message.t("--map {key} : l'étape « {step} » n'a pas d'état « {state} »{hint}",
                                      key=key, step=step_id, state=state,
                                      hint=_closest(state, old_sop.steps[step_id].states)))
        if step_id not in new_sop.steps:
            problems.append(Message.t("--map {key} : l'étape « {step} » n'existe pas dans la nouvelle "
                                      "version", key=key, step=step_id))
        elif dest not in new_sop.steps[step_id].states:
            problems.append(Message.t(
                "--map {key}={dest} : l'étape « {step} » de la nouvelle version n'a pas d'état "
                "« {dest} »{hint}",
                key=key, dest=dest, step=step_id, hint=_closest(dest, new_sop.steps[step_id].states)))
    for key, rule in (deadline_rules or {}).items():
        step_id, _, state = key.partition(".")
        if rule not in RULES:
            problems.append(Message.t("--deadline {key}={rule} : la règle est l'une de {rules}",
                                      key=key, rule=rule, rules=", ".join(RULES)))
        if step_id not in new_sop.steps:
            problems.append(Message.t("--deadline {key} : étape inconnue « {step} »{hint}", key=key,
                                      step=step_id, hint=_closest(step_id, new_sop.steps)))
        elif state not in new_sop.steps[step_id].states:
            problems.append(Message.t("--deadline {key} : l'étape « {step} » n'a pas d'état "
                                      "« {state} »{hint}", key=key, step=step_id, state=state,
                                      hint=_closest(state, new_sop.steps[step_id].states)))
    return problems


def _refuse(problems: list[Message]) -> MigrationRefused:
    return MigrationRefused(Message.t("Migration refusée : {problems}",
                                      problems=Joined(tuple(problems), sep=" ; ")), problems=problems)


def migrate_cases(wf: WorkflowEngine, source: str, target: str, mapping: dict[str, str], actor: Actor,
                  *, references: list[str] | None = None, dry_run: bool = False,
                  rule: str = "recompute", deadline_rules: dict[str, str] | None = None) -> MigrationPlan:
    """Move the open cases of SOP version ``source`` (``mnr_bf@2025.1``) to ``target``.

    ``mapping`` maps ``"step.old_state"`` to a new state name of that step; states whose name
    exists in the target map to themselves. ``references`` limits the migration to these cases.
    ``rule`` (``keep`` / ``recompute`` / ``restart``) applies to deadlines whose rule changed;
    ``deadline_rules`` overrides it per new state (``"referral.transmitted": "keep"``).
    Raises :class:`MigrationRefused` (listing every problem) for a bad mapping or when any
    instance would land in a state or step the target lacks; nothing is written then, nor on
    ``dry_run`` (which runs everything, flow rules included, and rolls back). Also raises what
    the flow may raise (e.g. DeadlineNotArmed): all or nothing.
    """
    with wf.sessions.begin() as s:
        plan = migrate_in_session(wf, s, source, target, mapping, actor, references=references, rule=rule,
                                  deadline_rules=deadline_rules)
        if dry_run:
            s.rollback()
        return plan


def migrate_in_session(wf: WorkflowEngine, s, source: str, target: str, mapping: dict[str, str],
                       actor: Actor, *, references: list[str] | None = None, rule: str = "recompute",
                       deadline_rules: dict[str, str] | None = None) -> MigrationPlan:
    """:func:`migrate_cases` inside the caller's transaction ``s`` (the workbench publishes and
    migrates in one); the caller commits or rolls back."""
    if rule not in RULES:
        raise _refuse([Message.t("La règle des délais « {rule} » n'est pas l'une de {rules}",
                                 rule=rule, rules=", ".join(RULES))])
    deadline_rules = dict(deadline_rules or {})
    now = wf._now()
    old_row, new_row = _version(s, source), _version(s, target)
    if old_row.id == new_row.id:
        raise _refuse([Message.t("{source} et {target} sont la même version", source=source, target=target)])
    old_sop = wf.registry.compiled(old_row).sop
    compiled = wf.registry.compiled(new_row)
    new_sop = compiled.sop
    plan = MigrationPlan(source, target, rule=rule, timezone=new_sop.calendar.timezone)
    plan.problems += check_mapping(old_sop, new_sop, mapping, deadline_rules)
    if plan.problems:
        raise _refuse(plan.problems)
    q = select(Case).where(Case.sop_version_id == old_row.id, Case.status == "open").order_by(Case.id)
    if references:
        q = q.where(Case.reference.in_(references))
    cases = list(s.scalars(q.with_for_update(of=Case)))
    for case in cases:
        moves = []
        for inst in case.instances:
            key = f"{inst.step}.{inst.state}"
            dest = mapping.get(key, inst.state)
            if inst.step not in new_sop.steps:
                plan.problems.append(Message.t("{reference} {instance} : l'étape « {step} » n'existe pas "
                                               "dans {target}", reference=case.reference,
                                               instance=inst.label_key, step=inst.step, target=target))
            elif dest not in new_sop.steps[inst.step].states:
                plan.problems.append(Message.t(
                    "{reference} {instance} : l'état « {state} » n'a pas d'équivalent dans {target} ; "
                    "indiquez-le avec --map {key}=<état>{hint}", reference=case.reference,
                    instance=inst.label_key, state=inst.state, target=target, key=key,
                    hint=_closest(inst.state, new_sop.steps[inst.step].states)))
            else:
                moves.append((inst.label_key, inst.state, dest))
        plan.moves[case.reference or ""] = moves
    if plan.problems:
        raise _refuse(plan.problems)
    for case in cases:
        plan.cases[case.reference or ""] = _migrate_case(
            wf, s, case, new_row, compiled, old_sop, mapping, rule, deadline_rules, actor, now,
            source, target)
    return plan


def _migrate_case(wf, s, case, new_row, compiled, old_sop, mapping, rule, deadline_rules, actor, now,
                  source, target) -> CaseChange:
    new_sop = compiled.sop
    change = CaseChange()
    case.sop_version_id = new_row.id
    case.sop_version = new_row
    moved = []
    for inst in list(case.instances):
        old_state = inst.state
        dest = mapping.get(f"{inst.step}.{old_state}", old_state)
        change.states.append((inst.label_key, old_state, dest))
        new_state = new_sop.steps[inst.step].states[dest]
        old_obj = old_sop.steps[inst.step].states.get(old_state)
        was_final = inst.final
        inst.state, inst.final = dest, new_state.final
        if new_state.final and not was_final:
            inst.ended_at = now
        elif not new_state.final:
            inst.ended_at = None
        if was_final and new_state.final:
            continue  # a finished step stays finished: no deadline, no flow
        chosen = deadline_rules.get(f"{inst.step}.{dest}", rule)
        info, effects = carry_deadline(wf, s, case, inst, old_obj, old_state, new_sop, chosen, now)
        change.effects += effects
        if info is not None:
            change.deadlines.append(info)
        if dest != old_state:
            moved.append(inst)
    for inst in moved:  # the flow rules, as after a normal transition into these states
        for new, _, state in wf._follow_flow(s, case, inst, compiled, now, change.effects):
            change.effects += wf._enter(s, case, new, compiled, None, state, now, actor.role)
    # steps the target version adds, whose flow rule the case already meets (migrate_new_steps.py)
    change.effects += start_new_steps(wf, s, case, compiled, old_sop, actor, now)
    change.closed = case.status == "closed"
    # the new owner of an instance whose state or owner changed is told (engine/migrate_notify.py)
    change.effects += notify_new_owners(wf, s, case, old_sop, new_sop, change.states, now)
    for inst in case.instances:
        if not inst.final:
            cs = compiled.steps[inst.step]
            change.next_actions[inst.label_key] = [
                new_sop.label(cs.by_trigger[trig][0][1].label) for trig in cs.triggers_from(inst.state)]
    case.version += 1
    case.updated_at = now
    changed = [{"instance": k, "from": a, "to": b} for k, a, b in change.states if a != b]
    append_event(s, case, at=now, actor=actor.user, role=actor.role, **wf._trace(actor),
                 organisation=actor.organisation, action="migrate",
                 data={"from": source, "to": target, "states": changed, "rule": rule,
                       "deadline_rules": deadline_rules, "mapping": dict(mapping),
                       "deadlines": change.deadlines, "next_actions": change.next_actions},
                 effects=change.effects, sop_version=f"{new_sop.sop}@{new_sop.version}")
    s.flush()
    return change
