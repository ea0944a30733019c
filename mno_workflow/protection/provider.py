"""What the recipient organisation of a referral may see and do, now: one answer for pages and API.

A provider sees personal data of a referral addressed to it only while all of these hold: the
consent in force allows disclosure to the organisation's type for the referral purpose
(:func:`~mno_workflow.protection.disclosure.may_disclose`), the referral is not in one of the SOP's
``withhold_in_states`` (e.g. ``declined``: the decliner sees nothing personal any more), and the
case is open or was closed less than ``provider_access_after_closure`` ago. Otherwise it sees only
the reference and the state, and has no action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from ..engine.calendar import BusinessCalendar
from ..engine.errors import Message
from ..i18n.durations import DurationWords
from ..sop.schema import SOP, Calendar
from .consent import ConsentInForce, consent_in_force, settings
from .disclosure import Decision, may_disclose
from .fields import field_categories

#: The category of "every field, categorised or not": what a provider sees under an SOP that
#: declares no data protection, once the step's ``disclosure`` condition holds.
ANY_CATEGORY = "*"


@dataclass(frozen=True)
class ProviderView:
    """``decision``: may anything personal be shown (with its reason); ``categories``: the data
    categories shown (empty when ``decision`` refuses); ``actions``: may the provider act;
    ``withdrawn``: True when access ended because of the consent (withdrawn, expired, refused);
    ``consented``: the categories the consent (or override) alone covers and ``agreed`` those of
    the organisation's sharing agreement (None: not checked), so that a field withheld says which
    of the two does not cover it (:mod:`.masking`; tryout 8, K1)."""

    decision: Decision
    categories: frozenset[str]
    consent: ConsentInForce
    consented: frozenset[str] = frozenset()
    agreed: frozenset[str] | None = None

    @property
    def personal(self) -> bool:
        return self.decision.allowed

    @property
    def actions(self) -> bool:
        return self.decision.allowed

    @property
    def withdrawn(self) -> bool:
        return self.decision.reason in ("consent.withdrawn", "consent.expired", "consent.refused",
                                        "consent.none")


@lru_cache(maxsize=64)
def _calendar_of(timezone: str, country: str | None, workweek: tuple[str, ...]) -> BusinessCalendar:
    return BusinessCalendar(timezone, country, workweek)


def _calendar(cal: Calendar) -> BusinessCalendar:
    return _calendar_of(cal.timezone, cal.holidays, tuple(cal.workweek))


def provider_view(sop: SOP, case: Any, inst: Any, org_type: str | None, now: datetime,
                  agreed: frozenset[str] | None = None) -> ProviderView:
    """The :class:`ProviderView` of referral ``inst`` of ``case`` for its recipient organisation
    of directory type ``org_type`` (None: not checked) at the aware instant ``now``. ``agreed``:
    the data categories of the organisation's sharing agreement in force (None: no agreement
    listing categories); the categories shown are those the consent (or override) and the
    agreement both cover (tryout 5, H27). An SOP without a ``data_protection`` section: the
    step's own ``disclosure`` condition decides (none: allowed), and every field is shown
    (categories :data:`ANY_CATEGORY`) — one rule with the engine's (tryout 5, H1)."""
    from ..engine.erasure_rule import erased_while_open
    if erased_while_open(case):  # erased before erasure required a closed case (tryout 9, L9)
        return ProviderView(Decision(False, "case.erased", {}, Message.t(
            "Les données de cette personne ont été effacées à sa demande : ce référencement est retiré, "
            "plus rien n'est attendu de votre organisation.")), frozenset(), ConsentInForce("none"))
    if sop.data_protection is None:
        return _by_step_rule(sop, case, inst, now)
    dp = settings(sop)
    consent = consent_in_force(sop, case, now)
    decision = may_disclose(consent, org_type, None, dp.referral_purpose)
    if decision.allowed and inst.state in dp.withhold_in_states:
        if answered_by_recipient(sop, inst.step, inst.state):  # its own decline (tryout 6, I12)
            decision = Decision(False, "referral.declined", {"state": inst.state}, Message.t(
                "Vous avez refusé ce référencement : données personnelles retirées."))
        else:
            decision = Decision(False, "referral.withheld", {"state": inst.state}, Message.t(
                "Ce référencement n'est plus à votre organisation : données personnelles retirées."))
    if decision.allowed and getattr(case, "status", "open") == "closed" and case.closed_at is not None:
        until = _calendar(sop.calendar).add(case.closed_at, dp.provider_access_after_closure)
        if now >= until:
            period = dp.provider_access_after_closure
            decision = Decision(False, "case.closed", {"closed_at": case.closed_at.isoformat()}, Message.t(
                "Dossier clos depuis plus de {period} : données personnelles retirées.",
                period=DurationWords(period.amount, period.unit.value)))
    if not decision.allowed:
        cats: frozenset[str] = frozenset()
    elif consent.status == "overridden" and not consent.categories:
        cats = frozenset(field_categories(sop).values())  # an override that lists none: every one
    else:
        cats = consent.categories
    consented = cats
    if agreed is not None:
        cats = cats & agreed
    return ProviderView(decision, cats, consent, consented, agreed)


def answered_by_recipient(sop: SOP, step_id: str, state: str) -> bool:
    """Whether ``state`` of step ``step_id`` is the provider's own answer: a transition a ``scope:
    recipient`` role fires leads to it (BF SOP: ``declined``, by ``decline``; also when the case
    manager recorded that decline on its behalf), so a provider reads « Vous avez refusé … »
    rather than « … n'est plus à votre organisation »."""
    step = sop.steps.get(step_id)
    answering = {r for r, role in sop.roles.items() if role.scope == "recipient"}
    return step is not None and any(t.dest == state and answering & set(t.by) for t in step.transitions)


def _by_step_rule(sop: SOP, case: Any, inst: Any, now: datetime) -> ProviderView:
    """The provider's view under an SOP without ``data_protection``: the step's ``disclosure``
    condition, evaluated as the engine does (:func:`mno_workflow.engine.checks.case_context`),
    its refusal said by :func:`mno_workflow.engine.conditions.disclosure_problem`."""
    from ..engine.checks import case_context
    from ..engine.conditions import disclosure_problem
    from ..sop.expr import compile_expr
    consent = ConsentInForce("none")
    step = sop.steps.get(inst.step)
    cond = step.disclosure if step is not None else None
    if cond is None:
        return ProviderView(Decision(True, "disclosure.none", {}, Message.t(
            "La POS ne pose pas de condition de partage.")), frozenset({ANY_CATEGORY}), consent)
    ctx = case_context(case, inst, sop, now)
    try:
        holds = compile_expr(cond).holds(ctx)
    except Exception:  # noqa: BLE001 — said below by disclosure_problem, as the engine does
        holds = False
    if holds:
        return ProviderView(Decision(True, "disclosure.sop", {}, Message.t(
            "Condition de partage de la POS remplie.")), frozenset({ANY_CATEGORY}), consent)
    said = disclosure_problem(sop, cond, ctx) or Message.t(
        "La condition de partage de la POS n'est pas remplie pour ce dossier.")
    return ProviderView(Decision(False, "disclosure.not_met", {}, said), frozenset(), consent)
