"""Provider service levels: the directory's response time of a referral's service overrides the
SOP's default deadline (issue 13, ``within: {from_directory: response_time, default: …}``).

A step with ``recipient: referral.provider`` and ``service: referral.service_id`` names, per
instance, the organisation and the directory service (HSDS ``service.id``) the referral is
addressed to. A state deadline with ``from_directory: response_time`` then lasts the response
time that the directory's ``service_referral`` row of that service gives for the referral's
priority (``response_time_emergency`` / ``_urgent`` / ``_normal``; the priority is the value of
the default's ``by`` field, ``normal`` when the default is a plain duration), e.g. ``48 hours``,
``5 days``, ``15 working days``. When the referral names no service, the service is unknown or not
the chosen provider's, or the directory gives no time for that priority, the SOP's default
applies and the reason is kept as a visible note: a catalogue message id and its values,
shown in the reader's language (:func:`level_text`).

:func:`service_level` is called by :func:`mno_workflow.engine.timers.arm`; the result is
recorded in the audit effects; the referral's page, the API and the provider's inbox show it
(:func:`describe`, computed again from the instance's data and the directory).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..i18n import N_, gettext
from ..sop.schema import SOP, ByField, Deadline, Duration


def _lookup(data: dict, path: str | None) -> Any:
    if not path:
        return None
    form, _, field = path.partition(".")
    return (data.get(form) or {}).get(field)


def _directory_time(session: Any, service_id: str, organisation: str | None,
                    priority: str, cache: dict | None = None) -> tuple[str | None, str | None]:
    """``(response time text, None)`` from the directory, or ``(None, reason code)``. ``cache``:
    a dict kept by the caller for one read (a page listing many referrals of few services), the
    answers (and whether the directory exists) looked up once per service, provider and
    priority."""
    if cache is None:
        return _directory_time_read(session, service_id, organisation, priority, None)
    key = (service_id, organisation, priority)
    if key not in cache:
        cache[key] = _directory_time_read(session, service_id, organisation, priority, cache)
    return cache[key]


def _directory_time_read(session: Any, service_id: str, organisation: str | None,
                         priority: str, cache: dict | None) -> tuple[str | None, str | None]:
    from sqlalchemy import inspect, select

    from ..directory.tables import TABLES
    svc, ref = TABLES["service"], TABLES["service_referral"]
    if cache is None or "has_directory" not in cache:
        has = inspect(session.connection()).has_table(svc.name)
        if cache is not None:
            cache["has_directory"] = has
    else:
        has = cache["has_directory"]
    if not has:
        return None, "no_directory"
    owner = session.scalar(select(svc.c.organization_id).where(svc.c.id == service_id))
    if owner is None:
        return None, "unknown_service"
    if organisation and owner != organisation:
        return None, "other_provider"
    column = ref.c.get(f"response_time_{priority}")
    if column is None:
        return None, "no_time"
    text = session.scalar(select(column).where(ref.c.service_id == service_id).limit(1))
    return (text, None) if text else (None, "no_time")


def service_level(session: Any, sop: SOP, inst: Any, dl: Deadline,
                  data: dict, cache: dict | None = None) -> tuple[Deadline, dict | None]:
    """The deadline to arm for ``inst`` and the service-level record (None when ``dl`` has no
    ``from_directory``). The record: ``{"instance", "state", "service", "priority", "source":
    "directory"|"default", "within": "48 hours", "reason": code|None, "msgid", "params"}`` (the
    note's catalogue message, :func:`level_text` shows it in a language). Never
    raises for directory data: a bad value falls back to the default with its reason."""
    if dl.from_directory is None:
        return dl, None
    step = sop.steps[inst.step]
    service = _lookup(data, step.service)
    organisation = _lookup(data, step.recipient)
    priority = "normal"
    if isinstance(dl.within, ByField):
        priority = str(_lookup(data, dl.within.by) or "normal")
    text, reason = (None, "no_service") if not service else \
        _directory_time(session, str(service), organisation, priority, cache)
    chosen = dl
    if text:
        try:
            chosen = dl.model_copy(update={"within": Duration.model_validate(text)})
        except ValueError:
            text, reason = None, "bad_time"
    source, within = ("directory", text) if text else ("default", _default_text(dl, priority))
    record = {"instance": inst.label_key, "state": inst.state, "service": service,
              "priority": priority, "source": source, "within": within, "reason": reason}
    # the words as written then, kept in the audit effects and given by the API
    record.update(fr=record_words(sop, record, dl, "fr", data), en=record_words(sop, record, dl, "en", data))
    return chosen, record


def effective_deadline(session: Any, sop: SOP, case: Any, inst: Any, dl: Deadline | None = None
                       ) -> Deadline | None:
    """The deadline rule in force for ``inst``'s current state (``dl``: that state's rule, read
    from ``sop`` when None): for ``within: {from_directory: …}`` the directory's response time of
    the referral's service as a plain duration (``5 days``, ``15 working days``), else the rule
    itself. What resuming after a pause, extending and migrating use for the deadline's unit, so
    that they count as the armed deadline did (not in the SOP default's unit)."""
    if dl is None:
        state = sop.steps[inst.step].states.get(inst.state)
        dl = state.deadline if state is not None else None
    if dl is None or dl.from_directory is None:
        return dl
    return service_level(session, sop, inst, dl, _data(case, inst, dl))[0]


def _data(case: Any, inst: Any, dl: Deadline) -> dict:
    """What the deadline of ``inst``'s state reads, as when it was armed: the case and instance
    data, the need's ``item`` and the step instants its caps start at."""
    from .step_start import with_step_instants
    data = {**(case.data or {}), **(inst.data or {}), "item": getattr(inst, "item", None) or {}}
    return with_step_instants(data, case, dl)


def _default_text(dl: Deadline, priority: str) -> str:
    within = dl.within
    if isinstance(within, ByField):
        return str(within.cases.get(priority, "?"))
    return str(within)


def record_for(session: Any, sop: SOP, case: Any, inst: Any) -> dict | None:
    """The service-level record (see :func:`service_level`) of ``inst``'s current state, computed
    again from the instance's data and the directory (None when that state's deadline does not
    read the directory, or the instance is final): what the referral's page, the API and the
    provider's inbox show next to the due date."""
    state = sop.steps[inst.step].states.get(inst.state)
    if inst.final or state is None or state.deadline is None or state.deadline.from_directory is None:
        return None
    data = _data(case, inst, state.deadline)
    # a display path: the directory's answers kept for the session (one request's read)
    cache = session.info.setdefault("mno_service_levels", {}) if hasattr(session, "info") else None
    return service_level(session, sop, inst, state.deadline, data, cache)[1]


#: why the SOP's default deadline applies, in words (French message ids, translated where shown)
WHY = {
    "no_service": N_("le référencement ne nomme pas de service de l'annuaire"),
    "no_directory": N_("pas d'annuaire dans cette base"),
    "unknown_service": N_("service inconnu de l'annuaire"),
    "other_provider": N_("ce service n'est pas celui du prestataire choisi"),
    "no_time": N_("l'annuaire ne donne pas de délai de réponse pour cette priorité"),
    "bad_time": N_("le délai de l'annuaire est illisible"),
}


def describe(session: Any, sop: SOP, case: Any, inst: Any, lang: str = "fr",
             hidden: Any = None) -> str | None:
    """:func:`record_for` in words, in ``lang`` (None when none applies): the duration in words
    (« 10 jours », never ``10 days`` on a French page), the priority by its label, no code
    (issue 18): « Délai de réponse du service (annuaire), priorité Urgent : 48 heures ».
    ``hidden``: the fields the reader may not see (:func:`.caps_met.caps_met`)."""
    record = record_for(session, sop, case, inst)
    if not record:
        return None
    state = sop.steps[inst.step].states[inst.state]
    return record_words(sop, record, state.deadline, lang, _data(case, inst, state.deadline), hidden)


def record_words(sop: SOP, record: dict, dl: Deadline | None, lang: str, data: dict | None = None,
                 hidden: Any = None) -> str:
    """A service-level ``record`` (:func:`service_level`) in words, in ``lang``; with ``data``
    (what the deadline reads), followed by the ``no_later_than`` caps this case meets, as the
    case page's rule of an SOP default says them (:mod:`.caps_met`): « Délai de réponse du
    service (annuaire), priorité Normal : 3 jours, au plus tard 24 heures si besoin immédiat »
    (tryout 6, I9: never the directory's time alone next to a due date a cap brought nearer)."""
    from ..i18n.durations import duration_text
    try:
        d = Duration.model_validate(record["within"])
        within = duration_text(d.amount, d.unit.value, lang)
    except (ValueError, TypeError):
        within = str(record["within"])
    priority = None
    if dl is not None and isinstance(dl.within, ByField):
        from ..render.plain import field_by_path
        f = field_by_path(sop, dl.within.by)
        options = sop.options.get(f.options, {}) if f is not None and f.options else {}
        code = record.get("priority")
        priority = sop.label(options.get(code), lang) or code if code else None
    if dl is not None and data is not None:
        from .caps_met import caps_met
        within = ", ".join([within, *caps_met(sop, dl, data, lang, hidden)])
    if record.get("source") == "directory":
        if priority:
            return gettext("Délai de réponse du service (annuaire), priorité {priority} : {within}", lang,
                           priority=priority, within=within)
        return gettext("Délai de réponse du service (annuaire) : {within}", lang, within=within)
    why = WHY.get(record.get("reason") or "")
    return gettext("Délai par défaut de la POS ({within}) : {why}", lang, within=within,
                   why=gettext(why, lang) if why else (record.get("reason") or ""))


def check_service_of(session: Any, sop: SOP, step_id: str, form_id: str | None, data: dict) -> None:
    """Raise :class:`~mno_workflow.engine.errors.FormInvalid` (on the ``service`` field, fr/en)
    when the form ``form_id`` being submitted names both the provider and a directory service
    that belongs to another organisation. A service the directory does not know is accepted: the
    SOP's default deadline then applies with a visible note (:func:`service_level`)."""
    from .errors import Message
    from .forms import invalid
    step = sop.steps[step_id]
    if not (form_id and step.service and step.recipient and step.service.startswith(form_id + ".")):
        return
    field = step.service.split(".", 1)[1]
    service, org = data.get(field), data.get(step.recipient.split(".", 1)[1])
    if not service or not org:
        return
    _, reason = _directory_time(session, str(service), str(org), "normal")
    if reason == "other_provider":  # by their names in the reader's language, never their ids
        service_name, org_name = _names(session, str(service), str(org))
        raise invalid(sop, form_id, {field: Message.t(
            "Le service « {service} » de l'annuaire n'est pas un service de « {org} ».",
            service=service_name, org=org_name)})


@dataclass(frozen=True)
class DirectoryName:
    """A directory name as one value of a message: shown in the reader's language
    (directory/names_lang.py), the directory's own (French) text otherwise."""

    name: str

    def text(self, lang: str = "fr") -> str:
        from ..directory.names_lang import in_lang
        return in_lang(self.name, lang)


def _names(session: Any, service_id: str, org_id: str) -> tuple[Any, Any]:
    """The directory names of service ``service_id`` and organisation ``org_id`` (the id when the
    directory has no name for it)."""
    from sqlalchemy import select

    from ..directory.tables import TABLES
    svc, org = TABLES["service"], TABLES["organization"]
    service = session.scalar(select(svc.c.name).where(svc.c.id == service_id))
    owner = session.scalar(select(org.c.name).where(org.c.id == org_id))
    return (DirectoryName(service) if service else service_id), (DirectoryName(owner) if owner else org_id)
