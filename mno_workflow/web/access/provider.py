"""What a provider focal point sees of a referral addressed to its organisation: the referral
condition of its inbox, the consent in force (:func:`provider_view`) and the form fields, need and
timeline entries it covers, and who referred (see the package's doc, "Consent → fields")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, false
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from ... import protection
from ...protection import ProviderView
from ...protection.provider import ANY_CATEGORY
from ...sop.schema import SOP, Classification, FieldType, FormField
from ...store.models import Case, StepInstance, User
from .region import can_view_case, sop_admits, sop_admits_clause
from .roles import CASE_ROLES


def referral_clause(user: User, sop_recipient_steps: list[str]) -> ColumnElement[bool]:
    """SQL condition on ``StepInstance``: instances addressed to the user's organisation, of the
    user's SOP when it has one (:func:`.region.sop_admits`)."""
    if user.role != "provider" or not user.organisation:
        return false()
    clause = and_(StepInstance.recipient == user.organisation, StepInstance.step.in_(sop_recipient_steps))
    if not getattr(user, "sop_id", None):
        return clause
    own = aliased(Case)  # not correlated with the inbox's own join on cases
    return and_(clause, exists().where(own.id == StepInstance.case_id,
                                       sop_admits_clause(user.sop_id, own.sop_version_id)))


def can_view_referral(user: User, sop: SOP, case: Case, inst: StepInstance) -> bool:
    if user.role == "provider":
        step = sop.steps.get(inst.step)
        return (
            sop_admits(getattr(user, "sop_id", None), sop.sop)
            and step is not None
            and step.recipient is not None
            and user.organisation is not None
            and inst.recipient == user.organisation
            and inst.state != step.initial_state
        )
    return can_view_case(user, case)


def referrals_in_reach(user: User, sop: SOP, case: Case, instance: str | None = None) -> list[StepInstance]:
    """The referrals of ``case`` a provider ``user`` may act on (:func:`can_view_referral`), only
    the one ``instance`` names (``referral:housing`` or ``housing``) when given. Empty: the API and
    the command line answer « not found » for that organisation, never the actions of referrals
    addressed to others (tryout 5, G18)."""
    return [i for i in case.instances
            if (instance is None or instance in (i.label_key, i.key))
            and can_view_referral(user, sop, case, i)]


def provider_view(session, sop: SOP, case: Case, inst: StepInstance, now) -> ProviderView:
    """What the recipient organisation of ``inst`` may see and do at ``now`` (see the module doc):
    the organisation's type comes from the directory (not checked when the directory is empty)."""
    from ...directory import organisation_type

    org_type = organisation_type(session, inst.recipient) if inst.recipient else ""
    agreed = agreed_categories(session, sop, inst.recipient, now) if inst.recipient else None
    return protection.provider_view(sop, case, inst, org_type, now, agreed)


def agreed_categories(session, sop: SOP, organisation: str, now) -> frozenset[str] | None:
    """The data categories of ``organisation``'s sharing agreement in force on the SOP-local day of
    ``now`` (None: no agreement in force, or one that lists none). Read once per organisation and
    day in a session (a provider's inbox asks it for each row)."""
    from zoneinfo import ZoneInfo

    from ...protection.agreements import agreement_in_force
    day = now.astimezone(ZoneInfo(sop.calendar.timezone)).date()
    cache = session.info.setdefault("mno_agreed", {})
    if (organisation, day) not in cache:
        status = agreement_in_force(session, organisation, day)  # one read: the row in force
        cache[(organisation, day)] = (status.categories or None) if status.in_force else None
    return cache[(organisation, day)]


def readable_forms(session, user: User, sop: SOP, case: Case, inst: StepInstance,
                   found: dict[str, Any] | None = None) -> dict[str, Any]:
    """The forms of ``inst`` (``{form id: data}``) ``user`` may read, before the consent's field
    filter: a provider reads only those recorded while the referral was addressed to its
    organisation, never the previous provider's decline of a re-referred referral (tryout 4, G9;
    :func:`mno_workflow.engine.addressed.own_forms`); case roles read them all. ``found``: the
    instance's :func:`~mno_workflow.engine.addressed.origins` when already read (a page of rows)."""
    from ...engine import addressed

    if user.role != "provider":
        return dict(inst.data or {})
    if found is None:
        found = addressed.origins(session, sop, case, inst)
    return addressed.own_forms(sop, inst, user.organisation, found)


def person_forms(sop: SOP) -> list[str]:
    """The forms of the person's data a provider may be shown (consent and agreement permitting):
    those of the case's registration, the first action with a form of the SOP's ``start:`` step
    (``identification`` in BF, ``intake`` in the docs' example), whatever they are called
    (tryout 10, M6); never another action's form of that step (a rectification's reason)."""
    start = sop.steps.get(sop.start)
    tr = next((t for t in start.transitions if t.forms), None) if start is not None else None
    return [f for f in tr.forms if f in sop.forms] if tr is not None else []


def person_data(sop: SOP, case: Case) -> list[tuple[str, dict[str, Any]]]:
    """``[(form id, stored values)]`` of the :func:`person_forms` of ``case``, before any filter."""
    return [(fid, (case.data or {}).get(fid) or {}) for fid in person_forms(sop)]


def consent_categories(view: ProviderView) -> set[str]:
    """Data categories the provider may see under ``view`` (empty: nothing personal)."""
    return set(view.categories) if view.personal else set()


def field_visible(path: str, f: FormField, categories: set[str] | None) -> bool:
    """``categories`` None means "everything" (case roles); otherwise the provider rule: the
    field's SOP ``category`` must be one of ``categories`` (``path`` kept for callers)."""
    if categories is None or f.classification == Classification.shareable or ANY_CATEGORY in categories:
        return True  # ANY_CATEGORY: an SOP without data_protection, its disclosure rule met (H1)
    return f.category is not None and f.category in categories


def filter_form_data(
    sop: SOP, form_id: str, data: dict[str, Any] | None, categories: set[str] | None
) -> dict[str, Any]:
    """``data`` of ``form_id`` without the fields ``categories`` does not cover (repeat groups
    filtered row by row)."""
    form = sop.forms.get(form_id)
    if form is None or not data:
        return {}
    out: dict[str, Any] = {}
    for f in form.fields:
        if f.id not in data:
            continue
        path = f"{form_id}.{f.id}"
        if not field_visible(path, f, categories):
            continue
        if f.type == FieldType.repeat and isinstance(data[f.id], list):
            out[f.id] = [
                {
                    sf.id: row[sf.id]
                    for sf in f.fields or []
                    if sf.id in row and field_visible(f"{path}.{sf.id}", sf, categories)
                }
                for row in data[f.id]
                if isinstance(row, dict)
            ]
        else:
            out[f.id] = data[f.id]
    return out


def filter_item(sop: SOP, inst: StepInstance, categories: set[str] | None) -> dict[str, Any]:
    """The item a referral is for (a need row of the ``for_each`` repeat group, or the form a
    ``spawn:`` copied: an immediate need's urgency and incident date), without the fields
    ``categories`` does not cover; each value judged by its own form's definition
    (:func:`mno_workflow.engine.item_source.item_fields`; tryout 8, K1)."""
    from ...engine.item_source import item_fields
    if not inst.item:
        return {}
    out: dict[str, Any] = {}
    for f in item_fields(sop, inst.step, inst.item):
        if f.id not in inst.item or not field_visible(f.id, f, categories):
            continue
        value = inst.item[f.id]
        if f.type == FieldType.repeat and isinstance(value, list):
            value = [{sf.id: row[sf.id] for sf in f.fields or []
                      if sf.id in row and field_visible(sf.id, sf, categories)}
                     for row in value if isinstance(row, dict)]
        out[f.id] = value
    return out


def masked_fields(sop: SOP, view: ProviderView, case: Case, inst: StepInstance,
                  forms: dict[str, Any]) -> list[dict[str, Any]]:
    """Every field the provider does not see under ``view`` (whether or not it holds a value;
    those :func:`mno_workflow.protection.masking.listed` names), as the API and the
    command line list it: ``{"field": "item.incident_at", "category": "protection", "reason":
    "agreement", "fr": "Date et heure de l'incident : masqué (non couvert par l'accord de partage
    de données)", "en": …}`` — the person's forms (:func:`person_forms`), the item and the forms
    ``forms`` it may read (:func:`readable_forms`), each by its own definition
    (:mod:`mno_workflow.protection.masking`)."""
    from ...engine.item_source import MARK, item_fields, item_sources
    from ...i18n import colon
    from ...protection.masking import listed, mask_reason, reason_text
    if not view.personal:
        return []
    sources: list[tuple[str, list[FormField], dict[str, Any]]] = []
    item_form = None
    for fid, data in person_data(sop, case):  # the start form, whatever its name (M6)
        sources.append((fid, sop.forms[fid].fields, data))
    if inst.item:
        sources.append(("item", item_fields(sop, inst.step, inst.item), inst.item))
        origin = item_sources(sop, inst.step, inst.item)  # its conditions name its own form
        item_form = origin[0][0] if origin else None
    for fid, data in forms.items():
        if fid in sop.forms:
            sources.append((fid, sop.forms[fid].fields, data or {}))
    out = []
    for where, fields, data in sources:
        # named by what the provider sees, never by whether the hidden field holds a value: a
        # listed-only-when-filled incident date would tell a GBV incident exists (tryout 9, L4)
        seen = {where: {f.id: data[f.id] for f in fields if f.id in data and mask_reason(f, view) is None}}
        if where == "item" and item_form:
            seen[item_form] = seen["item"]
        for f in fields:
            if f.id == MARK:
                continue
            why = mask_reason(f, view)
            if why is None or not listed(f, seen):
                continue
            out.append({"field": f"{where}.{f.id}", "category": f.category, "reason": why,
                        **{lang: f"{sop.label(f.label, lang)}{colon(lang)}{reason_text(why, lang)}"
                           for lang in ("fr", "en")}})
    return out


def hidden_paths(sop: SOP, view: ProviderView, inst: StepInstance):
    """``hidden(path)``: whether the provider does not see the field at ``path`` under ``view``
    (``item.incident_at``: the referral's item, by its own form's definition; ``form.field``), for
    a deadline's words that name it (:func:`mno_workflow.engine.caps_met.caps_met`); a step's
    instant (``steps.…``) or an unknown path is not a field, not hidden."""
    from ...engine.item_source import item_fields
    from ...protection.masking import mask_reason

    def hidden(path: str) -> bool:
        form_id, _, field_id = str(path).partition(".")
        if form_id == "item":
            fields = item_fields(sop, inst.step, inst.item or {})
        else:
            fields = sop.forms[form_id].fields if form_id in sop.forms else []
        f = next((x for x in fields if x.id == field_id), None)
        return f is not None and mask_reason(f, view) is not None
    return hidden


def name_visible(categories: set[str] | None) -> bool:
    return categories is None or "identity" in categories or ANY_CATEGORY in categories


def visible_timeline(user: User, inst: StepInstance | None, items: list[dict[str, Any]],
                     events: list[Any], sop: SOP | None = None) -> list[dict[str, Any]]:
    """Timeline ``items`` (one per audit event of ``events``, same order) as ``user`` may see
    them: a provider sees only the events of its own referral ``inst``, with the names of people
    of other organisations removed, and (with ``sop``) none of those recorded while the referral
    was addressed to another organisation (a re-referral's earlier decline, tryout 4 G9); other
    roles see everything they may open."""
    if user.role != "provider":
        return items
    from ...engine import addressed

    whom = addressed.recipients_of_events(sop, inst, events) if sop is not None and inst is not None else {}
    out = []
    for item, ev in zip(items, events, strict=True):
        if inst is None or ev.step != inst.step or ev.instance_key != inst.key:
            continue
        if whom.get(ev.seq) not in (None, user.organisation):
            continue
        if ev.organisation != user.organisation:
            item = {**item, "actor": "", "comment": ""}  # another side's words stay theirs
        out.append(item)
    return out


def referral_sender(session, case: Case, inst: StepInstance) -> dict[str, str] | None:
    """``{"name", "organisation", "phone", "role"}`` of the last case-side user who fired a
    transition of the referral ``inst`` (the one who sent it, or re-sent it); None before any.
    Two columns of the audit trail and the user, not the signed event. No access rule here: see
    :func:`referrer` for what a provider may read."""
    from sqlalchemy import select

    from ...store.models import AuditEvent

    ev = session.execute(
        select(AuditEvent.actor, AuditEvent.organisation, AuditEvent.role)
        .where(AuditEvent.case_id == case.id, AuditEvent.step == inst.step,
               AuditEvent.instance_key == inst.key, AuditEvent.action == "fire",
               AuditEvent.role.in_(tuple(CASE_ROLES)))
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    if ev is None:
        return None
    who = session.get(User, ev.actor)
    return {
        "name": who.display_name if who else ev.actor,
        "organisation": (who.organisation if who and who.organisation else ev.organisation) or "",
        "phone": (who.phone or "") if who else "",
        "role": ev.role or "",
    }


def referrer(session, user: User, sop: SOP, case: Case, inst: StepInstance,
             view: ProviderView) -> dict[str, str] | None:
    """Who referred: ``{"name", "organisation", "phone"}`` of the last case-side user who acted on
    the referral ``inst`` (the one who sent it, :func:`referral_sender`), for the provider
    ``user`` it is addressed to.

    Shown under the same rule as the person's data: the referral visible to the provider
    (:func:`can_view_referral`) and the consent in force covering it (``view.personal``); None
    otherwise (a withdrawn consent or a declined referral shows neither the person nor the
    referrer's contact)."""
    if not view.personal or not can_view_referral(user, sop, case, inst):
        return None
    sender = referral_sender(session, case, inst)
    return None if sender is None else {k: sender[k] for k in ("name", "organisation", "phone")}
