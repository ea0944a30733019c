"""Whether the directory service a referral was just sent to offers the referral's need, whether
its organisation has someone on the platform to answer it, and whether it is in the SOP's country,
said as warnings on every path that sends one — the case page, ``POST /api/v1/cases/{ref}/fire``
and ``mno case fire`` — never a refusal: the case manager may know better than the directory
(issue 18, finding 21: a cash need sent to a psychosocial association; tryout 6, I7: an
organisation marked on the platform with nobody there, :func:`recipient_warning`; tryout 6, I4: a
Niger case sent to a Burkina Faso NGO, a transfer of personal data abroad, :func:`abroad_warning`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..i18n import gettext
from ..sop.schema import SOP
from ..store.models import StepInstance
from .matching import offers_need
from .names_lang import in_lang
from .tables import TABLES


def need_warning(s: Session, sop: SOP, inst: StepInstance, lang: str) -> str:
    """A warning in ``lang`` (or "") when the service recorded on referral ``inst`` (the step's
    ``service: form.field``) does not offer the instance's need according to the directory; ""
    when the step names no service, no service or need is recorded, or the need is not in the
    directory's need mapping."""
    step = sop.steps.get(inst.step)
    if step is None or not step.service or "." not in step.service or not inst.item:
        return ""
    form_id, field_id = step.service.split(".", 1)
    service_id, need = ((inst.data or {}).get(form_id) or {}).get(field_id), inst.item.get("need")
    if not service_id or not need or offers_need(s, str(service_id), str(need)) is not False:
        return ""
    svc = TABLES["service"]
    name = s.scalar(select(svc.c.name).where(svc.c.id == str(service_id))) or str(service_id)
    return gettext("Attention : d'après l'annuaire, le service « {service} » ne propose pas ce besoin "
                   "({need}). Vérifiez avec le prestataire qu'il peut y répondre.", lang,
                   service=in_lang(name, lang), need=sop.label(sop.options.get("need", {}).get(need), lang)
                   or str(need))


def own_country(sop: SOP) -> str | None:
    """The SOP's country: its calendar's ``holidays`` code (``BF`` for ``BF``, ``GB`` for
    ``GB-ENG``); None when the calendar names none."""
    return sop.calendar.holidays.split("-", 1)[0].upper() if sop.calendar.holidays else None


def abroad(s: Session, sop: SOP, organisations) -> dict[str, list[str]]:
    """The organisations of ``organisations`` whose physical addresses in the directory are all
    outside the SOP's country (:func:`own_country`), with their countries (codes, sorted): sending
    them a referral transfers personal data abroad. An organisation without address country, or
    with one address in the country, is not listed; nothing when the SOP has no country."""
    own, ids = own_country(sop), {o for o in organisations if o}
    if not own or not ids:
        return {}
    loc, addr = TABLES["location"], TABLES["address"]
    found: dict[str, set[str]] = {}
    for oid, country in s.execute(select(loc.c.organization_id, addr.c.country)
                                  .join(loc, loc.c.id == addr.c.location_id)
                                  .where(loc.c.organization_id.in_(sorted(ids)))):
        if country:
            found.setdefault(oid, set()).add(str(country).upper())
    return {oid: sorted(countries) for oid, countries in found.items() if own not in countries}


def country_names(codes, lang: str) -> str:
    """« Mali, Niger »: the countries ``codes`` by their names in ``lang`` (Babel's territory
    names; the code when Babel has none)."""
    from babel import Locale, UnknownLocaleError
    try:
        names = Locale.parse(lang or "fr").territories
    except (UnknownLocaleError, ValueError):
        names = {}
    return ", ".join(names.get(c, c) for c in codes)


def abroad_mark(countries, lang: str) -> str:
    """« à l'étranger : Mali »: how a candidate organisation abroad is marked (send form, CLI)."""
    return gettext("à l'étranger : {countries}", lang, countries=country_names(countries, lang))


def abroad_help(lang: str) -> str:
    """Why the mark matters: said beside it (the option's title, the form's help, the CLI)."""
    return gettext("Transmettre des données personnelles à l'étranger demande l'autorisation de "
                   "l'autorité de protection des données.", lang)


def abroad_warning(s: Session, sop: SOP, inst: StepInstance, lang: str) -> str:
    """A warning in ``lang`` (or "") when the organisation referral ``inst`` is addressed to
    (``inst.recipient``) has physical addresses in the directory and none in the SOP's country
    (:func:`abroad`): personal data then leaves the country, which the data protection authority
    must have authorised (DOMAIN: the CIL sanctioned NGOs in 2025 for such transfers). "" when
    the directory gives no country."""
    if not inst.recipient:
        return ""
    countries = abroad(s, sop, [inst.recipient]).get(inst.recipient)
    if not countries:
        return ""
    org = TABLES["organization"]
    name = s.scalar(select(org.c.name).where(org.c.id == inst.recipient)) or inst.recipient
    return gettext("Attention : d'après l'annuaire, « {organisation} » est établi hors du pays de la "
                   "POS ({countries}, pas {own}). Transmettre des données personnelles à l'étranger "
                   "demande l'autorisation de l'autorité de protection des données.", lang,
                   organisation=in_lang(name, lang), countries=", ".join(countries), own=own_country(sop))


def recipient_warning(s: Session, sop: SOP, inst: StepInstance, lang: str) -> str:
    """A warning in ``lang`` (or "") when referral ``inst`` is addressed to an organisation the
    directory marks ``uses_platform: yes`` without any active account to answer there
    (:func:`mno_workflow.directory.organisations_without_focal_point`): nobody will read it in an
    inbox, so the case manager follows its answer as for a provider off the platform."""
    if not inst.recipient:
        return ""
    from . import organisations_without_focal_point
    if inst.recipient not in organisations_without_focal_point(s, [inst.recipient], sop_id=sop.sop):
        return ""
    org = TABLES["organization"]
    name = s.scalar(select(org.c.name).where(org.c.id == inst.recipient)) or inst.recipient
    return gettext("Attention : « {organisation} » n'a aucun point focal actif sur la plateforme : personne "
                   "ne recevra ce référencement dans sa boîte. Vous suivrez sa réponse (téléphone, courrier) "
                   "et l'enregistrerez pour lui.", lang, organisation=in_lang(name, lang))


def unrecorded_warning(s: Session, sop: SOP, inst: StepInstance, lang: str) -> str:
    """A warning in ``lang`` (or "") when referral ``inst`` is addressed to an organisation off
    the platform (:func:`mno_workflow.directory.organisations_off_platform`) and waits in a state
    where the SOP lets only its focal point answer (:func:`mno_workflow.sop.answers.unrecordable_answers`,
    lint W119): nobody can record the answer it gives by phone, the referral waits for its deadline
    (tryout 8, K12). Said after the send (page, API, CLI) and on the case page."""
    from ..sop.answers import unrecordable_answers
    from . import organisations_off_platform
    if not inst.recipient or inst.final:
        return ""
    missing = unrecordable_answers(sop, inst.step, inst.state)
    if not missing or inst.recipient not in organisations_off_platform(s, [inst.recipient], sop_id=sop.sop):
        return ""
    org = TABLES["organization"]
    name = s.scalar(select(org.c.name).where(org.c.id == inst.recipient)) or inst.recipient
    step = sop.steps[inst.step]
    answers = ", ".join(f"« {sop.label(t.label, lang)} »" for t in missing)
    state = sop.label(step.states[inst.state].label, lang)
    return gettext("Attention : « {organisation} » ne répond pas sur la plateforme et cette POS ne permet "
                   "pas d'enregistrer sa réponse à sa place ({answers}) : le référencement restera "
                   "« {state} » jusqu'à son échéance. Choisissez un prestataire présent sur la plateforme, "
                   "ou demandez à l'auteur de la POS d'ajouter l'enregistrement de ces réponses (W119).",
                   lang, organisation=in_lang(name, lang), answers=answers, state=state)


def _records(sop: SOP, step_id: str, trigger: str, from_state: str, path: str | None) -> bool:
    """Whether firing ``trigger`` from ``from_state`` on step ``step_id`` carries the form of
    ``path`` (``form.field``, the step's ``service:`` or ``recipient:``), so records that field."""
    step = sop.steps.get(step_id)
    if step is None or not path:
        return False
    form_id = path.split(".", 1)[0]
    return any(t.trigger == trigger and (from_state in t.sources or "*" in t.sources) and form_id in t.forms
               for t in step.transitions)


def sends_recipient(sop: SOP, step_id: str, trigger: str, from_state: str) -> bool:
    """Whether the transition recorded the step's recipient organisation (its ``recipient:``)."""
    step = sop.steps.get(step_id)
    return _records(sop, step_id, trigger, from_state, step.recipient if step else None)


def sent_service(sop: SOP, step_id: str, trigger: str, from_state: str) -> bool:
    """Whether the transition recorded the step's directory service (its ``service:``)."""
    step = sop.steps.get(step_id)
    return _records(sop, step_id, trigger, from_state, step.service if step else None)


def warnings_after_fire(sessions, sop: SOP, reference: str, step_id: str, key: str, trigger: str,
                        from_state: str, lang: str, region_from: str | None = None) -> list[str]:
    """The warnings (in ``lang``) of a fire that just happened on instance ``step_id:key`` of case
    ``reference``: :func:`need_warning`, when the transition recorded the referral's service, and
    :func:`recipient_warning` and :func:`abroad_warning`, when it recorded its recipient; the
    reassignment to do when an edit moved the case from the region ``region_from``
    (engine/region_move.py, tryout 10, M9). ``sessions``: the engine's session factory, opened
    only then (no read on the write path of any other fire)."""
    service = sent_service(sop, step_id, trigger, from_state)
    recipient = sends_recipient(sop, step_id, trigger, from_state)
    if not service and not recipient and not region_from:
        return []
    from ..store import repository
    with sessions() as s:
        case = repository.get_case(s, reference)
        if region_from and case is not None:
            from ..engine.region_move import region_warning
            return [region_warning(s, sop, case, region_from, lang)]
        inst = next((i for i in case.instances if i.step == step_id and i.key == key), None) if case else None
        if inst is None:
            return []
        stuck = unrecorded_warning(s, sop, inst, lang) if recipient else ""
        said = [need_warning(s, sop, inst, lang) if service else "",
                stuck or (recipient_warning(s, sop, inst, lang) if recipient else ""),
                abroad_warning(s, sop, inst, lang) if recipient else ""]
    return [w for w in said if w]
