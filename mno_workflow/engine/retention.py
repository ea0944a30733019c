"""Retention and erasure: replace a case's personal fields by tombstones, in its data and audit trail.

Which fields: those of the case's SOP version whose ``classification`` is listed in the SOP's
``retention.classifications`` (default ``personal`` and ``sensitive``), including sub-fields of
repeat groups. Where: the case's form data, the closure history (``data._closures``), each step
instance's data and item — the copy of form data an instance was started for (a ``for_each``
row, or a ``spawn``'s form: a best-interests assessment's findings in the referral it created),
purged by the definitions of the form it copies (:mod:`.item_source`) —
the case's display name, and the ``data`` of every audit event of the case. The audit chain still
verifies because personal values are hashed only as salted digests (:mod:`mno_workflow.store.audit`):
the purge drops the value *and its salt*, the digest stays.

Statistics read none of these fields (region, status, dates, steps and referral outcomes stay), so
anonymous figures are the same before and after. Free text (notes, comments, typed reasons of
events, pause reasons) goes with them: :mod:`.retention_text`. Each purge writes one audit event
(``action = "purge"``, ``data = {"rule": "retention" | "erasure", "fields": n, "reason": …}``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select

from ..i18n import N_
from ..sop.schema import SOP
from ..store.audit import TOMBSTONE_KEY, append_event, is_tombstone
from ..store.models import AuditEvent, Case
from .errors import FormInvalid, Message
from .item_source import item_spec

Spec = dict[str, Any]  # {form: {field: True | {sub_field: True}}}


def personal_spec(sop: SOP, classifications: list[str] | None = None) -> Spec:
    """The fields to purge: ``{form: {field: True, repeat_field: {sub: True}}}``."""
    wanted = set(classifications or (sop.retention.classifications if sop.retention else
                                     ["personal", "sensitive"]))
    spec: Spec = {}
    for form_id, form in sop.forms.items():
        for f in form.fields:
            if f.classification.value in wanted:
                spec.setdefault(form_id, {})[f.id] = True
            elif f.fields:
                subs = {sf.id: True for sf in f.fields if sf.classification.value in wanted}
                if subs:
                    spec.setdefault(form_id, {})[f.id] = subs
    return spec


def tombstone(at: datetime, rule: str) -> dict[str, str]:
    """The mark left in place of a purged value."""
    return {TOMBSTONE_KEY: at.isoformat(), "rule": rule}


def _purge_fields(values: Any, salts: Any, fields: dict[str, Any], mark: dict) -> int:
    """Tombstone ``fields`` of the mapping ``values`` in place (and drop their salts); count them."""
    if not isinstance(values, dict):
        return 0
    n = 0
    for fid, sub in fields.items():
        if fid not in values or values[fid] is None or is_tombstone(values[fid]):
            continue
        salt_map = salts if isinstance(salts, dict) else {}
        if sub is True:
            values[fid] = dict(mark)
            salt_map.pop(fid, None)
            n += 1
        elif isinstance(values[fid], list):
            item_salts = salt_map.get(fid) if isinstance(salt_map.get(fid), list) else []
            for i, item in enumerate(values[fid]):
                n += _purge_fields(item, item_salts[i] if i < len(item_salts) else None, sub, mark)
    return n


def _purge_forms(data: Any, salts: Any, spec: Spec, mark: dict) -> int:
    if not isinstance(data, dict):
        return 0
    salts = salts if isinstance(salts, dict) else {}
    return sum(_purge_fields(data[form_id], salts.get(form_id), fields, mark)
               for form_id, fields in spec.items() if form_id in data)


@dataclass
class PurgeReport:
    """What a purge did (or would do): ``cases`` ``{reference: fields purged}``."""

    cases: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # reference -> why not (French msgid)


def purge_case(s: Any, case: Case, sop: SOP, now: datetime, rule: str, actor: Any,
               reason: str | None = None, trace: dict | None = None) -> int:
    """Tombstone ``case``'s personal fields in its data and audit events, inside the caller's
    transaction (the case row locked by the caller); write one ``purge`` event. Returns the
    number of values purged (0: nothing was personal or left, and no event is written)."""
    from ..store.erasure_disk import overwrite_freed
    from .change_words import KEY as BEFORE
    from .retention_text import (
        free_text_spec,
        merged,
        purge_closure_reasons,
        purge_deadline_notes,
        purge_event_text,
    )
    overwrite_freed(s)  # SQLite: what the purge frees is overwritten (tryout 9, L14)
    spec = merged(personal_spec(sop), free_text_spec(sop))
    mark = tombstone(now, rule)
    kept = _kept_figures(s, case, sop)  # the age group of the M&E figures survives the purge
    n = 0
    data = copy.deepcopy(case.data or {})
    n += _purge_forms(data, None, spec, mark)
    n += purge_closure_reasons(data, mark)
    for closure in data.get("_closures") or []:
        n += _purge_forms({"closure": closure.get("closure")}, None, spec, mark)
    for inst in case.instances:
        idata = copy.deepcopy(inst.data or {})
        k = _purge_forms(idata, None, spec, mark)
        if k:
            inst.data, n = idata, n + k
        if inst.item:  # a copy of form data: purged by its form's definitions (item_source)
            item = copy.deepcopy(inst.item)
            k = _purge_fields(item, None, item_spec(sop, inst.step, inst.item, spec), mark)
            if k:
                inst.item, n = item, n + k
    for ev in s.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)):
        ev_data, ev_salts = copy.deepcopy(ev.data or {}), copy.deepcopy(ev.data_salts or {})
        k = _purge_forms(ev_data, ev_salts, spec, mark)
        k += _purge_forms(ev_data.get(BEFORE), ev_salts.get(BEFORE), spec, mark)  # an edit's old values
        k += purge_event_text(ev.action, ev_data, ev_salts, mark)
        if k:
            ev.data, ev.data_salts, n = ev_data, ev_salts, n + k
    n += purge_deadline_notes(s, case)
    from ..attachments import purge as purge_files  # scanned documents go with the data

    files, notes = purge_files(s, case)
    n += files + notes
    if n == 0:
        return 0
    case.data = data
    if case.display_name:
        case.display_name = case.name_folded = None
    case.purged_at, case.updated_at = now, now
    case.version += 1
    append_event(s, case, at=now, actor=actor.user, role=actor.role, organisation=actor.organisation,
                 **(trace or actor.trace()), action="purge", sop_version=f"{sop.sop}@{sop.version}",
                 data={"rule": rule, "fields": n, **({"reason": reason} if reason else {}),
                       "notes": notes, "attachments": files, **kept})  # said by the access request
    return n


def _kept_figures(s: Any, case: Case, sop: SOP) -> dict[str, Any]:
    """``{"age_years": n}``: the age at registration the indicators' age groups need (a number of
    years, not personal by the SOP's own classification of the estimated age); empty without one."""
    from ..indicators import history
    from ..indicators.compute import age_years

    dims = sop.indicators.dimensions if sop.indicators else {}
    dim = next((d for d in dims.values() if d.age is not None), None)
    if dim is None:
        return {}
    (h,) = history.load(s, case_ids=[case.id]) or [None]
    years = age_years(dim, h) if h is not None else None
    return {"age_years": years} if years is not None else {}


def purge_due(closed_at: datetime, sop: SOP) -> datetime | None:
    """The instant a case closed at ``closed_at`` is due for purge under ``sop.retention``
    (calendar years / months / days from the closing instant, UTC), or None without a rule."""
    if sop.retention is None:
        return None
    amount, unit = sop.retention.period()
    if unit == "days":
        return closed_at + timedelta(days=amount)
    months = amount * (12 if unit == "years" else 1)
    y, m = divmod(closed_at.month - 1 + months, 12)
    year, month = closed_at.year + y, m + 1
    for day in (closed_at.day, 30, 29, 28):  # 31 January + 1 month = 28/29 February
        try:
            return closed_at.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def run_retention(engine: Any, actor: Any, *, dry_run: bool = False) -> PurgeReport:
    """Purge every closed case whose retention period has passed (one transaction per case, so
    an interruption keeps what is done). ``dry_run``: only report. Cases purged before and not
    reopened since are not touched again."""
    now = engine._now()
    report = PurgeReport()
    with engine.sessions() as s:
        q = (select(Case.reference).where(Case.status == "closed", Case.closed_at.is_not(None),
                                          or_(Case.purged_at.is_(None), Case.purged_at < Case.closed_at))
             .order_by(Case.id))
        refs = list(s.scalars(q))
    for ref in refs:
        with engine.sessions.begin() as s:
            case = engine._load_case(s, ref, lock=True)
            if case.status != "closed" or case.closed_at is None:
                continue
            sop = engine.registry.for_case(case).sop
            due = purge_due(case.closed_at, sop)
            if due is None:
                report.skipped[ref] = N_("sa version de POS n'a pas de règle de conservation")
                continue
            if due > now:
                continue
            if dry_run:
                report.cases[ref] = _count(s, case, sop, now)
                s.rollback()
                continue
            report.cases[ref] = purge_case(s, case, sop, now, "retention", actor,
                                           trace=engine._trace(actor))
    if not dry_run and any(report.cases.values()):
        from ..store.erasure_disk import clear_traces
        clear_traces(engine.sessions)  # the purged values leave the write-ahead log (L14)
    return report


def _count(s: Any, case: Case, sop: SOP, now: datetime) -> int:
    """How many values a purge would replace (nothing written: the caller rolls back)."""
    with s.no_autoflush:
        return purge_case(s, case, sop, now, "retention", _Nobody())


class _Nobody:
    user, role, organisation = "mno.retention", "system", None

    @staticmethod
    def trace() -> dict:
        return {"via": None, "os_user": None}


def erase_case(engine: Any, reference: str, actor: Any, reason: str, *,
               expected_version: int | None = None) -> int:
    """Erase a person's personal fields now, at their request (roles of ``retention.erase_by``),
    with a ``reason``, on a closed case (:mod:`.erasure_rule`). Returns the number of values
    replaced. Raises CaseNotFound, StaleVersion, FormInvalid (empty reason), RoleNotAllowed,
    UnknownTrigger (the SOP has no retention rule), CaseOpen (close the case first, how said)."""
    from .erasure_rule import check_eraser, refuse_open
    if not reason.strip():
        raise FormInvalid("erase", {"reason": Message.t("Le motif est obligatoire.")})
    now = engine._now()
    with engine.sessions.begin() as s:
        case, compiled = engine._open_for_change(s, reference, expected_version, allow_closed=True)
        sop = compiled.sop
        check_eraser(sop, actor.role)
        refuse_open(sop, case)
        n = purge_case(s, case, sop, now, "erasure", actor, reason.strip(), engine._trace(actor))
    if n:
        from ..store.erasure_disk import clear_traces
        clear_traces(engine.sessions)
    return n
