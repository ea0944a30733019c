"""Who may fire what on which step instance, and what the CEL expressions of a case see: instance
choice, scope and recipient checks, consent (disclosure), the form data stored on the case.

A part of :class:`~mno_workflow.engine.engine.WorkflowEngine` (a mixin: the methods keep their
names and read the engine's attributes).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, object_session

from ..sop.celtypes import ENV_KEY, type_env
from ..sop.expr import compile_expr
from ..sop.schema import SOP, ForEach
from ..store.models import Case, StepInstance
from ..store.repository import fold
from . import timers
from .compile import CompiledSOP, CompiledStep
from .conditions import disclosure_problem
from .corewrite import is_carrier
from .errors import (
    AmbiguousInstance,
    GuardNotMet,
    Joined,
    Labels,
    Message,
    RoleNotAllowed,
    UnknownTrigger,
    role_label,
    sop_text,
    trigger_label,
)
from .forms import invalid
from .instances import instance_keys, named, open_instances
from .service_levels import check_service_of

if TYPE_CHECKING:
    from .actors import Actor

log = logging.getLogger("mno.engine")


def refuse_foreign_trigger(sop: SOP, role: str, trigger: str) -> None:
    """Raise RoleNotAllowed (catalogue message) when ``trigger`` is one the SOP gives to other roles only —
    e.g. a provider firing ``approve_plan`` — whatever the case's state: « rôle non autorisé »,
    not « déclencheur inconnu ». The message names the roles allowed by the SOP text, never the
    case's steps or states (a provider hears nothing of what is not addressed to it)."""
    holders = sorted({r for step in sop.steps.values() for t in step.transitions
                      if t.trigger == trigger for r in t.by})
    if not holders or role in holders:
        return  # unknown to the SOP, or the role's own trigger: the state decides (UnknownTrigger)
    names = Labels(tuple(sop.roles[r].label for r in holders if r in sop.roles))
    raise RoleNotAllowed(Message.t(
        "Le rôle « {role} » ne peut pas faire « {trigger} » ; rôles autorisés : {roles}.",
        role=role_label(sop, role), trigger=trigger_label(sop, trigger), roles=names))


def reopen_refused(sop: SOP, role: str) -> RoleNotAllowed:
    """The refusal of a reopening by ``role`` (not in the SOP's ``reopen.by``), naming the roles
    that may (tryout 9, L12: the API answered « Accès refusé pour ce rôle. »)."""
    holders = sop.reopen.by if sop.reopen is not None else []
    names = Labels(tuple(sop.roles[r].label for r in holders if r in sop.roles))
    if not holders:
        return RoleNotAllowed(Message.t("Cette POS ne prévoit pas de rouvrir un dossier."))
    return RoleNotAllowed(Message.t(
        "Le rôle « {role} » ne peut pas rouvrir un dossier ; rôles autorisés : {roles}.",
        role=role_label(sop, role), roles=names))


def when_not_met(t: Any) -> Message:
    """The refusal of transition ``t`` whose ``when`` condition is false: the SOP's own
    ``when_message`` (its labels, shown in the reader's language, French as fallback), else the
    catalogue's « Condition non remplie : … » naming the condition."""
    if t.when_message:
        return sop_text(t.when_message)
    return Message.t("Condition non remplie : {condition}", condition=t.when)


def _missing_said(sop: SOP, source: str, name: str) -> Message | None:
    """The SOP's words for value ``name`` that guard ``source`` could not find: a form (its
    title) or a field (« « Finalités » (Consentement éclairé) »), forms the guard reads first;
    None when the SOP names no such form or field."""
    if name in sop.forms:
        return Message.t("« {name} »", name=Labels((sop.forms[name].title,)))
    roots = compile_expr(source).variables
    for fid in sorted(sop.forms, key=lambda f: f not in roots):  # forms the guard reads, first
        fields = list(sop.forms[fid].fields)
        for f in fields:
            fields += f.fields or []  # a repeat group's own fields
            if f.id == name:
                return Message.t("« {field} » ({form})", field=Labels((f.label,)),
                                 form=Labels((sop.forms[fid].title,)))
    return None


def when_lacking(sop: SOP, reference: str, t: Any, error: Any) -> GuardNotMet:
    """The refusal of transition ``t`` whose ``when`` reads a value the case has not recorded
    (``error``: an :class:`~mno_workflow.sop.expr.ExprError` with ``missing``): not a mistake in
    the SOP but missing data, said in words — the SOP's ``when_message`` and the missing field's
    label — never the expression, which goes to the log only (INFO ``guard_data_missing``: in the
    server's log, not on a command's screen)."""
    log.info("guard of %s on %s reads a value the case lacks: %s — %s", t.trigger, reference, t.when,
                error, extra={"event": "guard_data_missing", "case": reference, "trigger": t.trigger})
    what = _missing_said(sop, t.when or "", error.missing)
    lacks = (Message.t("Une donnée nécessaire manque au dossier : {field}.", field=what) if what is not None
             else Message.t("Des données nécessaires à cette action manquent au dossier."))
    said = Joined((sop_text(t.when_message), lacks), sep=" ") if t.when_message else lacks
    return GuardNotMet(Message.t("{sop_message}", sop_message=said), missing=error.missing)


def edits(sop: SOP, inst: StepInstance) -> bool:
    """``inst`` is done but its final state has an edit: an internal transition from it."""
    step = sop.steps.get(inst.step)
    return step is not None and any(t.internal and inst.state in t.sources for t in step.transitions)


class ChecksMixin:
    """Instance choice, access checks, CEL context and stored form data (see the module text)."""

    def _pick_instance(self, case: Case, compiled: CompiledSOP, trigger: str,
                       instance: str | None, actor: Actor) -> tuple[StepInstance, CompiledStep]:
        # a done step takes only its edits: an internal transition from its final state (BF SOP
        # « Rectifier l'identification », tryout 9, L5)
        all_open = [i for i in case.instances if not i.final or edits(compiled.sop, i)]
        role = compiled.sop.roles.get(actor.role)
        if role is not None and role.scope == "recipient":
            # A provider only ever acts on, and hears of, what is addressed to its organisation:
            # refusals never name other steps, other organisations' referrals or their states.
            own = [i for i in all_open if i.recipient is not None and i.recipient == actor.organisation]
            refuse_foreign_trigger(compiled.sop, actor.role, trigger)  # before any state is looked at
            asked = [i for i in all_open if not instance or instance in (i.label_key, i.key, str(i.id))]
            if (not any(i in own for i in asked)
                    and any(compiled.steps[i.step].candidates(trigger, i.state) for i in asked)):
                raise RoleNotAllowed(Message.t(
                    "« {trigger} » est réservé au prestataire destinataire de ce référencement.",
                    trigger=trigger_label(compiled.sop, trigger)))
            all_open = own
        open_insts = all_open
        if instance:
            open_insts = named(all_open, instance)
        matches = [(i, compiled.steps[i.step]) for i in open_insts
                   if any(t.internal or not i.final
                          for _, t in compiled.steps[i.step].candidates(trigger, i.state))]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            keys = ", ".join(i.label_key for i, _ in matches)
            raise AmbiguousInstance(Message.t(
                "Plusieurs étapes en cours acceptent « {trigger} » : {keys}. Précisez laquelle.",
                trigger=trigger_label(compiled.sop, trigger), keys=keys),
                instances=[i.label_key for i, _ in matches])
        sop = compiled.sop
        unknown_instance = bool(instance) and not open_insts
        shown = all_open if unknown_instance else open_insts
        allowed: list[str] = []  # what *this actor* may do (role, scope, consent; tryout 7, J13)
        mine: list[dict[str, str]] = []  # the same, for programs (tryout 3, F13)
        said: list[Message] = []
        typed: list[Message] = []  # the same, with the trigger to type (the command line's words)
        where: list[Message] = []
        elsewhere: list[StepInstance] = []  # the refused action, open on another instance (J14)
        for i in shown:
            cs, step = compiled.steps[i.step], sop.steps[i.step]
            where.append(Message.t("{step} : {state}", step=Labels((step.label,)),
                                   state=Labels((step.states[i.state].label,))))
            if not self._may_act(case, i, sop, actor):
                continue
            for t in cs.triggers_from(i.state):
                tr = next(x for _, x in cs.by_trigger[t])
                if i.final and not tr.internal:
                    continue
                if actor.role in tr.by:  # tell people what *they* can do
                    allowed.append(f"{t} ({i.label_key})")
                    mine.append({"trigger": t, "instance": i.label_key})
                    if unknown_instance and t == trigger:
                        elsewhere.append(i)
                        continue  # said once, as the instance to use, not as « you can » (J14)
                    said.append(Message.t("« {action} » ({step})", action=Labels((tr.label,)),
                                          step=Labels((step.label,))))
                    typed.append(Message.t("« {action} » ({trigger})", action=Labels((tr.label,)),
                                           trigger=t))

        nowhere = all(trigger not in cs.by_trigger for cs in compiled.steps.values())

        def refusal(can: list[Message]) -> Message:
            if nowhere:  # a trigger the SOP does not have at all (a typo): said as such
                return Message.t(
                    "L'action « {trigger} » n'existe pas dans cette POS ({where}). Vous pouvez : {can}.",
                    trigger=trigger,
                    where=Joined(tuple(where), "; ", Message.t("aucune étape en cours")),
                    can=Joined(tuple(can), ", ", Message.t("rien pour le moment")))
            if elsewhere:  # an old address: the step was done and restarted (a reopened case)
                current = [Message.t("{step} : {state}", step=_named(sop, i.label_key),
                                     state=Labels((sop.steps[i.step].states[i.state].label,)))
                           for i in elsewhere]
                nothing_else = Message.t("rien d'autre pour le moment")
                return Message.t(
                    "Étape « {instance} » terminée ou remplacée : « {trigger} » se fait maintenant sur "
                    "l'étape en cours ({current}). Vous pouvez aussi : {can}.",
                    instance=_named(sop, instance), trigger=trigger_label(sop, trigger),
                    current=Joined(tuple(current), "; "), can=Joined(tuple(can), ", ", nothing_else))
            return Message.t(
                "{unknown}Action « {trigger} » impossible dans l'état actuel ({where}). Vous pouvez : {can}.",
                unknown=Message.t("Étape « {instance} » introuvable ou terminée. ",
                                  instance=_named(sop, instance)) if unknown_instance else "",
                trigger=trigger_label(sop, trigger),
                where=Joined(tuple(where), "; ", Message.t("aucune étape en cours")),
                can=Joined(tuple(can), ", ", Message.t("rien pour le moment")))
        error = UnknownTrigger(refusal(said), allowed=allowed, allowed_actions=mine)
        error.typed = refusal(typed)  # type: ignore[attr-defined]  # mno case fire: what to type
        raise error

    def context(self, case: Case, inst: StepInstance | None, sop: SOP, now: datetime) -> dict[str, Any]:
        """The data CEL expressions see (:func:`case_context`)."""
        return case_context(case, inst, sop, now)

    def _check_recipient(self, s: Session, sop: SOP, inst: StepInstance, form_id: str | None,
                         data: dict) -> None:
        """A referral may only be addressed to an organisation of the service directory (and,
        issue 13, name a directory service of that organisation)."""
        check_service_of(s, sop, inst.step, form_id, data)
        recipient = sop.steps[inst.step].recipient
        if not (recipient and form_id and self.recipient_known and recipient.startswith(form_id + ".")):
            return
        field_id = recipient.split(".", 1)[1]
        org = data.get(field_id)
        if org and self.recipient_known(s, org) is False:
            raise invalid(sop, form_id, {field_id: Message.t(
                "« {org} » n'est pas une organisation du répertoire des prestataires.",
                org=org)})

    def _may_act(self, case: Case, inst: StepInstance, sop: SOP, actor: Actor) -> bool:
        """Whether ``actor`` may act on ``inst`` at all, as :meth:`_check_scope` decides (the
        assigned caseworker; the recipient organisation while the step's ``disclosure`` holds):
        a refusal lists only what the actor may do (tryout 7, J13)."""
        role = sop.roles.get(actor.role)
        scope = role.scope if role is not None else None
        if scope == "assigned":
            return case.assignee in (None, actor.user)
        if scope == "recipient":
            if inst.recipient is None or inst.recipient != actor.organisation:
                return False
            try:
                return self.may_disclose(case, inst, sop, self._now())
            except Exception:  # noqa: BLE001 — a condition that cannot run: nothing offered
                return False
        return True

    def _check_scope(self, sop: SOP, case: Case, inst: StepInstance, actor: Actor, trigger: str) -> None:
        scope = sop.roles[actor.role].scope
        if scope == "assigned" and case.assignee not in (None, actor.user):
            raise RoleNotAllowed(Message.t(
                "Le dossier {reference} est attribué à {assignee}, pas à {user}.",
                reference=case.reference, assignee=case.assignee, user=actor.user))
        if scope == "recipient" and (inst.recipient is None or inst.recipient != actor.organisation):
            raise RoleNotAllowed(Message.t(
                "« {trigger} » est réservé au prestataire destinataire de ce référencement.",
                trigger=trigger_label(sop, trigger, inst.step)))
        if scope == "recipient" and not self.may_disclose(case, inst, sop, self._now()):
            broken = disclosure_problem(sop, sop.steps[inst.step].disclosure,
                                        self.context(case, inst, sop, self._now()))
            raise RoleNotAllowed(broken or Message.t(
                "Le consentement ne couvre plus le partage de ce dossier avec votre organisation."))

    def _check_recipient_access(self, s: Session, sop: SOP, case: Case, inst: StepInstance,
                                now: datetime) -> None:
        """The recipient organisation may act only while :func:`mno_workflow.protection.provider_view`
        allows it (consent in force covering its type, referral not withheld, case not closed
        for too long)."""
        if sop.data_protection is None:
            return
        from ..protection import provider_view
        org_type = self.recipient_type(s, inst.recipient) if self.recipient_type and inst.recipient else None
        view = provider_view(sop, case, inst, org_type, now)
        if not view.actions:
            raise RoleNotAllowed(view.decision.message)

    def may_disclose(self, case: Case, inst: StepInstance, sop: SOP, now: datetime) -> bool:
        """Whether the step's ``disclosure`` condition (consent) holds now for ``inst``: the
        recipient organisation may see and act on it only then. True when the step has none."""
        cond = sop.steps[inst.step].disclosure
        return cond is None or compile_expr(cond).holds(self.context(case, inst, sop, now))

    def _store_form(self, case: Case, inst: StepInstance, sop: SOP, form_id: str, data: dict) -> None:
        step = sop.steps[inst.step]
        if isinstance(step.instances, ForEach):
            inst.data = {**(inst.data or {}), form_id: data}
        else:
            case.data = {**(case.data or {}), form_id: data}
        if step.recipient and step.recipient.startswith(form_id + "."):
            inst.recipient = data.get(step.recipient.split(".", 1)[1])
        summary = sop.case_summary
        if any(ref.startswith(form_id + ".") for ref in summary.name):
            parts = [str((case.data.get(ref.split(".")[0]) or {}).get(ref.split(".")[1], ""))
                     for ref in summary.name]
            name = " ".join(p for p in parts if p).strip() or None
            case.display_name = name
            case.name_folded = fold(name) if name else None
        if summary.region and summary.region.startswith(form_id + "."):
            case.region = data.get(summary.region.split(".", 1)[1])


def _named(sop: SOP, instance: str) -> Any:
    """A step instance given as ``step:key`` (or ``key``) in words: « Référencement — Assistance en
    espèces », « Évaluation des besoins »; the text as given when the SOP does not know it."""
    step_id, _, key = instance.partition(":")
    step = sop.steps.get(step_id)
    if step is None:
        return instance
    need = sop.options.get("need", {}).get(key)
    return Labels((step.label, need), sep=" — ") if need else Labels((step.label,))


def case_context(case: Case, inst: StepInstance | None, sop: SOP, now: datetime) -> dict[str, Any]:
    """The data CEL expressions see: every form id (empty when not filled), case data,
    the instance's data, ``item`` (the need a referral is for), ``steps`` (the state of each
    step's latest instance, e.g. ``steps.consent == 'given'``), ``open_instances`` (how many
    instances of each step are not final, 0 for a step not started), ``instance_keys`` (the keys
    of every instance, open or final, of each ``for_each`` step, e.g. the needs referred:
    :func:`~mno_workflow.engine.instances.instance_keys`), ``today`` (in the SOP's time zone)
    and ``now``. The same for the engine's guards and for a page that asks one of them (the
    provider's view of a referral under the step's ``disclosure``)."""
    from zoneinfo import ZoneInfo
    ctx: dict[str, Any] = {fid: {} for fid in sop.forms}
    ctx.update(case.data or {})
    if inst is not None:
        ctx.update(inst.data or {})
        ctx["item"] = inst.item or {}
    else:
        ctx["item"] = {}
    ctx["steps"] = {i.step: i.state for i in case.instances}  # latest instance of each step
    ctx["open_instances"] = open_instances(sop, case.instances)
    ctx["instance_keys"] = instance_keys(sop, case.instances)
    ctx["today"] = now.astimezone(ZoneInfo(sop.calendar.timezone)).date().isoformat()
    ctx["now"] = now.isoformat().replace("+00:00", "Z")
    session = case.mno_session if is_carrier(case) else object_session(case)  # Core path: its own
    ctx[ENV_KEY] = type_env(sop, lambda: timers.calendar_for(session, sop)
                            if session is not None else None)
    return ctx
