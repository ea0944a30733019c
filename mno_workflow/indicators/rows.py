"""The row export of the dashboard: one line per case, headers and labels in the reader's language
(French by default, as the indicators CSV), each label column followed by a column of its codes
(``code_region``, ``codes_etapes``: the same names and values in every language, for scripts), and
the person's sex, age group, region, needs and referral priorities — never a name unless asked for
and allowed. Referral counts come from the SOP's indicators (every ``events`` indicator of a step
with a ``recipient``), not from state names. docs/indicators.md describes the columns.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..i18n import N_, colon, gettext
from ..sop.schema import SOP
from .compute import UNKNOWN, age_group, matches
from .history import CaseHistory
from .present import value_label

# the headers and the status in catalogue words (gettext in the reader's language); the code
# columns (code_region…) keep their names in every language: programs read them
HEAD_FR = {
    "case": N_("Dossier (pseudonyme)"),
    "reference": N_("Référence"),
    "name": N_("Nom"),
    "region": N_("Région"),
    "sex": N_("Sexe"),
    "age_group": N_("Tranche d'âge"),
    "status": N_("Statut"),
    "opened_on": N_("Ouvert le"),
    "closed_on": N_("Clos le"),
    "current_steps": N_("Étapes en cours"),
    "need": N_("Besoins"),
    "priority": N_("Priorités des référencements"),
}
STATUS_FR = {"open": N_("Ouvert"), "closed": N_("Clos")}


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
    lang: str = "fr",
    restricted: bool = False,
) -> Iterator[list[str]]:
    """Header then one row per case (see the module doc), words in ``lang``. ``include(case) ->
    bool`` leaves cases out (consent without the statistics purpose: they stay in the aggregates).
    ``restricted`` (a reader outside the case team, pseudonymised only): the rows of
    :mod:`.row_protect` — dates to the month, needs and steps masked, k-anonymous combinations,
    then a note."""
    from ..store.models import Case
    from . import history, row_protect

    if restricted and with_names:
        raise ValueError("a restricted export has no names")

    dims = sop.indicators.dimensions if sop.indicators else {}
    refs = referral_indicators(sop)
    head_of = {k: gettext(v, lang) for k, v in HEAD_FR.items()}
    head = [head_of["reference"], head_of["name"]] if with_names else [head_of["case"]]
    head += [
        head_of["region"],
        "code_region",
        head_of["sex"],
        "code_sexe",
        head_of["age_group"],
        head_of["status"],
        "code_statut",
        head_of["opened_on"],
        head_of["closed_on"],
        head_of["current_steps"],
        "codes_etapes",
        head_of["need"],
        "codes_besoins",
        head_of["priority"],
        "codes_priorites",
    ]
    head += [sop.label(i.label, lang) for i in refs]
    kept: list[row_protect.Record] = []
    if not restricted:
        yield head
    # the cases of ``sop`` only: the rows carry its indicators' columns, and a database with
    # several SOPs must never hand one country's people to another's export (tryout 8, K4)
    from ..store.models import SopVersion
    of_sop = select(SopVersion.id).where(SopVersion.sop_id == sop.sop)
    q = select(Case).where(Case.sop_version_id.in_(of_sop)).order_by(Case.id)
    if region:
        q = q.where(Case.region == region)
    for case in session.scalars(q.execution_options(yield_per=500)):
        if include is not None and not include(case):
            continue
        (h,) = history.load(session, case_ids=[case.id]) or [CaseHistory(case.id, [])]
        reg = h.value("identification", "region") if "region" not in dims else _field(h, dims["region"].field)
        reg = reg or case.region  # an SOP without a region dimension: the case's own (L7)
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
            value_label(sop, "region", reg or UNKNOWN, lang),
            reg or "",
            value_label(sop, "sex", sex or UNKNOWN, lang),
            sex or "",
            value_label(sop, "age_group", age, lang) if "age_group" in dims else "",
            gettext(STATUS_FR[case.status], lang) if case.status in STATUS_FR else case.status,
            case.status,
            case.created_at.date().isoformat(),  # ISO 8601: every spreadsheet reads it as a date
            case.closed_at.date().isoformat() if case.closed_at else "",
            *_open_steps(sop, case, lang),
            ", ".join(value_label(sop, "need", n, lang) for n in needs),
            " ".join(needs),
            ", ".join(value_label(sop, "priority", p, lang) for p in prios),
            " ".join(prios),
        ]
        row += [str(sum(1 for e in h.events if matches(i.events, e))) for i in refs]
        if restricted:
            kept.append(row_protect.Record(row, reg or "", sex or "", age, case.created_at, case.closed_at))
        else:
            yield row
    if restricted:
        k = sop.indicators.suppression_threshold if sop.indicators else 5
        yield from row_protect.protect(head, kept, k, lang)


def _open_steps(sop: SOP, case: Any, lang: str) -> tuple[str, str]:
    """The open steps of an open case: in words (« Consentement éclairé : Consentement donné, … »,
    the SOP's labels, joined with commas like the needs: « ; » separates the cells) and as codes
    (``consent.given immediate.available``, ``step.state``)."""
    if case.status != "open":
        return "", ""
    words, codes = [], []
    for inst in case.instances:
        if inst.final:
            continue
        codes.append(f"{inst.step}.{inst.state}")
        step = sop.steps.get(inst.step)
        state = step.states.get(inst.state) if step else None
        need = sop.options.get("need", {}).get(inst.key)
        name = (sop.label(step.label, lang) if step else inst.step) + (f" — {sop.label(need, lang)}"
                                                                        if need else "")
        words.append(f"{name}{colon(lang)}{sop.label(state.label, lang) if state else inst.state}")
    return ", ".join(words), " ".join(codes)


def _field(h: CaseHistory, ref: str | None) -> Any:
    if not ref:
        return None
    form, _, fld = ref.partition(".")
    v = h.value(form, fld)
    return v if isinstance(v, str) else None
