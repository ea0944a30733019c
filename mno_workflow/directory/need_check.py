"""Whether the directory service a referral was just sent to offers the referral's need, said as
a warning on every path that sends one — the case page, ``POST /api/v1/cases/{ref}/fire`` and
``mno case fire`` — never a refusal: the case manager may know better than the directory
(issue 18, finding 21: a cash need sent to a psychosocial association)."""

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


def sent_service(sop: SOP, step_id: str, trigger: str, from_state: str) -> bool:
    """Whether firing ``trigger`` from ``from_state`` on step ``step_id`` recorded the step's
    directory service (its transition carries the form named by the step's ``service:``)."""
    step = sop.steps.get(step_id)
    if step is None or not step.service:
        return False
    form_id = step.service.split(".", 1)[0]
    return any(t.trigger == trigger and (from_state in t.sources or "*" in t.sources) and form_id in t.forms
               for t in step.transitions)


def warnings_after_fire(sessions, sop: SOP, reference: str, step_id: str, key: str, trigger: str,
                        from_state: str, lang: str) -> list[str]:
    """The warnings (in ``lang``) of a fire that just happened on instance ``step_id:key`` of case
    ``reference``: today only :func:`need_warning`, when the transition recorded the referral's
    service. ``sessions``: the engine's session factory, opened only then (no read on the write
    path of any other fire)."""
    if not sent_service(sop, step_id, trigger, from_state):
        return []
    from ..store import repository
    with sessions() as s:
        case = repository.get_case(s, reference)
        inst = next((i for i in case.instances if i.step == step_id and i.key == key), None) if case else None
        warning = need_warning(s, sop, inst, lang) if inst is not None else ""
    return [warning] if warning else []
