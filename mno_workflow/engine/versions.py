"""Migrating open cases from one SOP version to another with an explicit, validated state mapping.

Loading a new version never alters running cases (they stay pinned to the version they started
on). Moving them is a deliberate act: every step instance must land in a state that exists in the
new version — unchanged names map to themselves, others need an entry ``step.old_state →
new_state`` — or the whole migration is refused and nothing is written. Each migrated case gets
its deadlines re-armed for its (new) states and one audit event. Source: DESIGN.md "Versioning".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from ..store.audit import append_event
from ..store.models import Case, SopVersion
from . import timers
from .engine import Actor, WorkflowEngine
from .errors import EngineError, Message


class MigrationRefused(EngineError):
    """The mapping leaves some case in a step or state that the new version does not have."""

    code, http_status = "migration_refused", 409


@dataclass
class MigrationPlan:
    """What a migration does (or would do, on a dry run): ``moves[reference]`` lists
    ``(step:key, old_state, new_state)``; ``problems`` lists why it is refused."""

    source: str
    target: str
    moves: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _version(session, ref: str) -> SopVersion:
    sop_id, _, version = ref.partition("@")
    row = session.scalar(select(SopVersion).where(SopVersion.sop_id == sop_id,
                                                  SopVersion.version == version))
    if row is None:
        raise MigrationRefused(Message(fr=f"Version de POS inconnue : {ref} (format id@version).",
                                       en=f"Unknown SOP version: {ref} (format id@version)."))
    return row


def migrate_cases(wf: WorkflowEngine, source: str, target: str, mapping: dict[str, str], actor: Actor,
                  *, references: list[str] | None = None, dry_run: bool = False) -> MigrationPlan:
    """Move the open cases of SOP version ``source`` (``mnr_bf@2025.1``) to ``target``.

    ``mapping`` maps ``"step.old_state"`` to a new state name of that step; states whose name
    exists in the target map to themselves. ``references`` limits the migration to these cases.
    Raises :class:`MigrationRefused` (listing every problem) when any instance would land in a
    state or step the target lacks; nothing is written then, nor on ``dry_run``.
    """
    now = wf._now()
    with wf.sessions.begin() as s:
        old_row, new_row = _version(s, source), _version(s, target)
        new = wf.registry.compiled(new_row)
        new_sop = new.sop
        plan = MigrationPlan(source, target)
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
                    plan.problems.append(f"{case.reference} {inst.label_key}: step {inst.step!r} does not "
                                         f"exist in {target}")
                elif dest not in new_sop.steps[inst.step].states:
                    plan.problems.append(f"{case.reference} {inst.label_key}: state {inst.state!r} has no "
                                         f"counterpart in {target}; map it with {key}=<state>")
                else:
                    moves.append((inst, dest))
            plan.moves[case.reference or ""] = [(i.label_key, i.state, d) for i, d in moves]
        if plan.problems:
            raise MigrationRefused(Message(
                fr="Migration refusée : " + " ; ".join(plan.problems),
                en="Migration refused: " + " ; ".join(plan.problems)), problems=plan.problems)
        if dry_run:
            s.rollback()
            return plan
        for case in cases:
            case.sop_version_id = new_row.id
            case.sop_version = new_row
            changed = []
            for inst in case.instances:
                dest = mapping.get(f"{inst.step}.{inst.state}", inst.state)
                state = new_sop.steps[inst.step].states[dest]
                timers.cancel(s, inst, now, f"migrated to {target}")
                if dest != inst.state:
                    changed.append({"instance": inst.label_key, "from": inst.state, "to": dest})
                inst.state, inst.final = dest, state.final
                if not state.final:
                    timers.arm(s, case, inst, new_sop, wf.context(case, inst, new_sop, now), now)
            case.version += 1
            case.updated_at = now
            append_event(s, case, at=now, actor=actor.user, role=actor.role, **wf._trace(actor),
                         organisation=actor.organisation, action="migrate",
                         data={"from": source, "to": target, "states": changed},
                         sop_version=f"{new_sop.sop}@{new_sop.version}")
        return plan
