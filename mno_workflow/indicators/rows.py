"""The row export of the dashboard: one line per case, French headers, labels with their codes in
extra columns, and the person's sex, age group, region, needs and referral priorities — never a
name unless asked for and allowed. Referral counts come from the SOP's indicators (every
``events`` indicator of a step with a ``recipient``), not from state names.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..sop.schema import SOP
from .compute import UNKNOWN, age_group, matches
from .history import CaseHistory
from .present import value_label

HEAD_FR = {
    "case": "Dossier (pseudonyme)",
    "reference": "Référence",
    "name": "Nom",
    "region": "Région",
    "sex": "Sexe",
    "age_group": "Tranche d'âge",
    "status": "Statut",
    "opened_on": "Ouvert le",
    "closed_on": "Clos le",
    "current_steps": "Étapes en cours",
    "need": "Besoins",
    "priority": "Priorités des référencements",
}
STATUS_FR = {"open": "Ouvert", "closed": "Clos"}


def pseudonym(secret: str, reference: str) -> str:
    """A stable pseudonym of a case reference (HMAC-SHA-256 with the server's secret, 16 hex)."""
    return hmac.new(secret.encode(), reference.encode(), hashlib.sha256).hexdigest()[:16]


def referral_indicators(sop: SOP) -> list:
    """The ``events`` indicators of steps that have a recipient (referrals), in SOP order."""
    if sop.indicators is None:
        return []
    return [
        i
        for i in sop.indicators.list_
        if i.count == "events"
        and i.events is not None
        and i.events.step in sop.steps
        and sop.steps[i.events.step].recipient
    ]


def rows(
    session: Session,
    sop: SOP,
    *,
    secret: str,
    with_names: bool,
    region: str | None = None,
    include: Callable[[Any], bool] | None = None,
    now: datetime | None = None,
) -> Iterator[list[str]]:
    """Header then one row per case (see the module doc). ``include(case) -> bool`` leaves cases
    out (consent without the statistics purpose: they stay in the aggregates)."""
    from ..store.models import Case
    from . import history

    dims = sop.indicators.dimensions if sop.indicators else {}
    refs = referral_indicators(sop)
    head = [HEAD_FR["reference"], HEAD_FR["name"]] if with_names else [HEAD_FR["case"]]
    head += [
        HEAD_FR["region"],
        "code_region",
        HEAD_FR["sex"],
        "code_sexe",
        HEAD_FR["age_group"],
        HEAD_FR["status"],
        "code_statut",
        HEAD_FR["opened_on"],
        HEAD_FR["closed_on"],
        HEAD_FR["current_steps"],
        HEAD_FR["need"],
        "codes_besoins",
        HEAD_FR["priority"],
        "codes_priorites",
    ]
    head += [sop.label(i.label, "fr") for i in refs]
    yield head
    q = select(Case).order_by(Case.id)
    if region:
        q = q.where(Case.region == region)
    for case in session.scalars(q.execution_options(yield_per=500)):
        if include is not None and not include(case):
            continue
        (h,) = history.load(session, case_ids=[case.id]) or [CaseHistory(case.id, [])]
        reg = h.value("identification", "region") if "region" not in dims else _field(h, dims["region"].field)
        sex = _field(h, dims["sex"].field) if "sex" in dims else None
        age = age_group(dims["age_group"], h) if "age_group" in dims else UNKNOWN
        needs = [it.get("need") for (step, _k), it in sorted(h.items.items()) if it.get("need")]
        prios = [
            str(v)
            for e in h.events
            for form in e.data.values()
            if isinstance(form, dict)
            for k, v in form.items()
            if k == "priority" and isinstance(v, str)
        ]
        row = (
            [case.reference, case.display_name or ""]
            if with_names
            else [pseudonym(secret, case.reference or str(case.id))]
        )
        row += [
            value_label(sop, "region", reg or UNKNOWN, "fr"),
            reg or "",
            value_label(sop, "sex", sex or UNKNOWN, "fr"),
            sex or "",
            value_label(sop, "age_group", age, "fr") if "age_group" in dims else "",
            STATUS_FR.get(case.status, case.status),
            case.status,
            case.created_at.date().isoformat(),
            case.closed_at.date().isoformat() if case.closed_at else "",
            " ".join(f"{i.step}.{i.state}" for i in case.instances if not i.final)
            if case.status == "open"
            else "",
            ", ".join(value_label(sop, "need", n, "fr") for n in needs),
            " ".join(needs),
            ", ".join(value_label(sop, "priority", p, "fr") for p in prios),
            " ".join(prios),
        ]
        row += [str(sum(1 for e in h.events if matches(i.events, e))) for i in refs]
        yield row


def _field(h: CaseHistory, ref: str | None) -> Any:
    if not ref:
        return None
    form, _, fld = ref.partition(".")
    v = h.value(form, fld)
    return v if isinstance(v, str) else None
