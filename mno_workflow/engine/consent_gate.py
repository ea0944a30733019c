"""The consent gate: no referral leaves a case whose person refused (or withdrew) data sharing.

Issue 13: refusing data sharing no longer closes the case; the case goes on with direct
assistance only. Every transition that would share the case with a provider is refused first,
with a reason naming the consent, whichever path fires it (page, API, CLI, bulk action, the
sweeper's ``on_expiry.fire``): :meth:`WorkflowEngine._fire` calls :func:`check_consent_gate` for
each candidate transition before its guard (a transition whose form sets the step's
``recipient``: BF SOP ``send``, ``re_refer``), and :func:`~mno_workflow.engine.spawn.spawn_instances`
calls :func:`check_spawn_gate` before it creates instances of a step with a ``recipient`` (BF SOP
``refer_immediately``, ``record_best_interests``, ``approve_revision`` with a need to refer).
An override in force (``overridden``, e.g. a supervisor's override for the person's vital
interests) lets them through. An expired consent stops them too, said as expired with its day
(tryout 4, G16: the SOP's guard said « does not cover » and sent the user looking at the scope);
other states (consent not yet asked, given) are left to the SOP's own guards. The refusal promises a
supervisor's override only when the SOP has one from the consent step's current state
(:func:`override_possible`; tryout 6, I3: the BF SOP before 2026.7 had none after a withdrawal).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..i18n import N_
from ..sop.schema import SOP, Transition
from .errors import GuardNotMet, Message, trigger_label

#: Consent statuses that stop every referral, with their reason.
_STOPPED = {  # catalogue message ids (French source text)
    "refused": N_("La personne a refusé le partage de ses données (consentement refusé)"),
    "withdrawn": N_("La personne a retiré son consentement au partage de ses données"),
}


def sends_to_provider(sop: SOP, step_id: str, t: Transition) -> bool:
    """Whether ``t`` (a transition of step ``step_id``) addresses the step to a provider: its form
    sets the step's ``recipient`` (BF SOP: ``send``, ``re_refer``)."""
    recipient = sop.steps[step_id].recipient
    return bool(recipient and any(recipient.startswith(f + ".") for f in t.forms))


def check_consent_gate(sop: SOP, case: Any, step_id: str, t: Transition, trigger: str,
                       now: datetime) -> None:
    """Raise :class:`GuardNotMet` when ``t`` sends to a provider (:func:`sends_to_provider`) and
    the consent in force is refused or withdrawn (see :func:`refuse_if_stopped`)."""
    if sends_to_provider(sop, step_id, t):
        refuse_if_stopped(sop, case, trigger, now)


def check_spawn_gate(sop: SOP, case: Any, target_step: str, trigger: str, now: datetime) -> None:
    """Raise :class:`GuardNotMet` when a ``spawn:`` is about to create instances of
    ``target_step``, a step with a ``recipient`` (a referral), and the consent in force is refused
    or withdrawn. Called by :func:`mno_workflow.engine.spawn.spawn_instances` only when at least
    one instance would be created (a plan revision without referral goes through)."""
    if sop.steps[target_step].recipient:
        refuse_if_stopped(sop, case, trigger, now)


def override_possible(sop: SOP, case: Any) -> bool:
    """Whether the SOP has an override (a transition of the consent step to ``overridden``, the
    state the consent in force reads as an override) from the state of ``case``'s latest consent
    instance (``from: "*"``: any state that is not final)."""
    from ..protection.consent import settings
    step_id = settings(sop).consent_step
    step = sop.steps.get(step_id)
    state = None
    for inst in getattr(case, "instances", None) or []:  # ordered by id: the last one is the latest
        if inst.step == step_id:
            state = inst.state
    if step is None or state is None:
        return False
    final = state in step.states and step.states[state].final
    return any(t.dest == "overridden" and (state in t.sources or ("*" in t.sources and not final))
               for t in step.transitions)


def refuse_if_stopped(sop: SOP, case: Any, trigger: str, now: datetime) -> None:
    """Raise :class:`GuardNotMet` (``condition="data_protection: consent.refused"``,
    ``…withdrawn`` or ``…expired``; catalogue message naming the consent and ``trigger``, and the
    expiry day) when the consent in force of ``case`` at the aware instant ``now`` is refused,
    withdrawn or expired. Does nothing
    for an SOP without ``data_protection``."""
    if sop.data_protection is None:
        return
    from ..protection import consent_in_force
    consent = consent_in_force(sop, case, now)
    status = consent.status
    override = override_possible(sop, case)
    if status == "expired":  # tryout 4, G16: said as expired, not as « does not cover »
        from ..i18n.dates import DayText
        if not override:
            raise GuardNotMet(Message.t(
                "Le consentement a expiré le {day} : aucun référencement ne peut être envoyé (« {trigger} ») "
                "avant un nouveau consentement.",
                day=DayText(consent.expires_on), trigger=trigger_label(sop, trigger)),
                condition="data_protection: consent.expired")
        raise GuardNotMet(Message.t(
            "Le consentement a expiré le {day} : aucun référencement ne peut être envoyé (« {trigger} ») "
            "avant un nouveau consentement ou une dérogation motivée du superviseur.",
            day=DayText(consent.expires_on), trigger=trigger_label(sop, trigger)),
            condition="data_protection: consent.expired")
    if status not in _STOPPED:
        return
    if not override:
        raise GuardNotMet(Message.t(
            "{why} : le dossier continue en assistance directe seulement, aucun référencement ne "
            "peut être envoyé (« {trigger} »). Seul un nouveau consentement le permettrait.",
            why=Message.t(_STOPPED[status]), trigger=trigger_label(sop, trigger)),
            condition=f"data_protection: consent.{status}")
    raise GuardNotMet(Message.t(
        "{why} : le dossier continue en assistance directe seulement, aucun référencement ne "
        "peut être envoyé (« {trigger} »). Seule une dérogation motivée du superviseur (p. ex. "
        "pour les intérêts vitaux de la personne) ou un nouveau consentement le permettrait.",
        why=Message.t(_STOPPED[status]), trigger=trigger_label(sop, trigger)),
        condition=f"data_protection: consent.{status}")
