"""A referral's deadline in the provider's own terms: what to do and by when, and how much time is
left in the SOP's working days (or how late, in working days too: :func:`late_words`), French
and English — « à répondre avant le 12/06 16:00 — dans 2 jours ouvrés », « service à rendre avant
le 30/06 23:59 — 3 jours ouvrés de retard ».

What to do comes from the SOP: a state the referral reaches from a state another role owns (sent,
after the caseworker's draft or a decline) asks the provider to *answer*; a state reached only
from the provider's own states (accepted, in progress) asks it to *deliver the service*; a state
where the provider has no transition gets the generic « à traiter ». Working days follow the
SOP's calendar (time zone, work week, public holidays with stored overrides:
:func:`mno_workflow.engine.timers.calendar_for`). A rule in force in hours or calendar days — or a
``no_later_than`` cap in hours that applies, 72 hours after an incident — is said in real time,
weekends counted (« dans 2 jours 13 heures »: :func:`counts_working_days`, :func:`real_time_words`;
tryout 8, K10).

Source: issue 18 (« referral deadlines in the provider's own terms »).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..engine.calendar import BusinessCalendar
from ..i18n import N_, gettext, ngettext
from ..i18n.dates import day_text, instant_text
from ..i18n.durations import duration_text
from ..sop.schema import SOP, Duration

#: what to do, by task kind (:func:`task_kind`); French message ids, translated where shown
WORDS = {
    "answer": N_("à répondre avant le"),
    "deliver": N_("service à rendre avant le"),
    "act": N_("à traiter avant le"),
}


@dataclass(frozen=True)
class DueWords:
    """``what`` (« à répondre avant le »), ``when`` (« 12/06 16:00 », SOP time zone), ``left``
    (« dans 2 jours ouvrés » or « 3 jours ouvrés de retard »), ``late`` (bool) and ``kind``
    (answer / deliver / act); ``text`` joins them."""

    what: str
    when: str
    left: str
    late: bool
    kind: str

    @property
    def text(self) -> str:
        return f"{self.what} {self.when} — {self.left}" if self.left else f"{self.what} {self.when}"


def task_kind(sop: SOP, step_id: str, state: str, role: str = "provider") -> str:
    """``answer``, ``deliver`` or ``act`` for ``role`` in ``state`` of ``step_id`` (module doc)."""
    step = sop.steps[step_id]
    if not any(role in tr.by and not tr.internal and state in tr.sources for tr in step.transitions):
        return "act"
    # where the referral comes from: another role's state (sent after draft or a decline) means
    # it has just reached the provider, who answers; its own state (accepted) means work goes on
    before = {src for tr in step.transitions if tr.dest == state
              for src in tr.sources if src not in ("*", state)}
    owners = {step.states[x].owner for x in before if x in step.states}
    return "answer" if any(o != role for o in owners) else "deliver"


def late_words(cal: BusinessCalendar, due: datetime, now: datetime, lang: str) -> str:
    """How late a deadline ``due`` is at ``now`` (both aware, ``due`` before ``now``), counted as
    its SOP counts deadlines: in working days of the calendar (a deadline of « 2 jours ouvrés »
    due on Friday is one working day late on Monday, not three days). « 3 jours ouvrés de retard »;
    no working day elapsed yet: « en retard depuis 10:00 » the same day, « en retard depuis le
    13/11/2026 » after a weekend or a holiday. One wording for every page that says lateness (« Mon
    travail », the escalations, the provider's inbox and referral)."""
    n = cal.working_days_between(due, now)
    if n >= 1:
        return ngettext("{n} jour ouvré de retard", "{n} jours ouvrés de retard", n, lang)
    local_due = cal.local(due)
    if local_due.date() == cal.local(now).date():
        return gettext("en retard depuis {time}", lang, time=local_due.strftime("%H:%M"))
    return gettext("en retard depuis le {day}", lang, day=day_text(local_due.date(), lang))


def ahead_words(cal: BusinessCalendar, due: datetime, now: datetime, lang: str) -> str:
    """How long until a deadline ``due`` not yet past at ``now`` (both aware), in working days of
    the calendar: « aujourd'hui » when due today (local), else « dans N jours ouvrés » (working
    days counted after today through the due date), « avant le prochain jour ouvré » when it falls
    before the next one. One wording for the provider's pages and « Mon travail »."""
    if cal.local(due).date() == cal.local(now).date():
        return gettext("aujourd'hui", lang)
    n = cal.working_days_between(now, due)
    if n <= 0:
        return gettext("avant le prochain jour ouvré", lang)
    return ngettext("dans {n} jour ouvré", "dans {n} jours ouvrés", n, lang)


def real_time_words(due: datetime, now: datetime, lang: str) -> str:
    """The time left before ``due`` (or how late it is) in real time, weekends and holidays
    counted: « dans 2 jours 13 heures », « dans 5 heures », « dans 40 minutes », « 1 jour 2 heures
    de retard » — for a deadline the SOP counts in hours or calendar days, where « jours ouvrés »
    would understate the time (tryout 8, K10). Rounded down: never more time than there is."""
    late = due < now
    left = int(abs((now - due) if late else (due - now)).total_seconds())
    days, hours, minutes = left // 86400, left % 86400 // 3600, left % 3600 // 60
    if days:
        time = duration_text(days, "days", lang)
        time += f" {duration_text(hours, 'hours', lang)}" if hours else ""
    elif hours:
        time = duration_text(hours, "hours", lang)
    else:
        time = duration_text(max(minutes, 1), "minutes", lang)
    return gettext("{time} de retard", lang, time=time) if late else gettext("dans {time}", lang, time=time)


def counts_working_days(dl: Any, data: dict[str, Any], partial: bool = False) -> bool:
    """Whether the deadline rule ``dl`` in force for a case counts working days: the duration
    ``data`` chooses is in working days and no ``no_later_than`` cap in another unit applies to
    it (BF: « 10 jours ouvrables, au plus tard 72 heures après l'incident » is a clock in hours
    once the item has an incident date). True without a rule (lateness in working days).
    ``partial``: ``data`` holds only the item (« Mon travail »): a cap it cannot judge counts as
    applying, a duration it cannot choose is judged by every duration the rule may take."""
    from ..engine.deadlines import DeadlineError, cap_applies, cap_deadline, cap_start
    if dl is None:
        return True
    if not _in_working_days(dl, data):
        return False
    for cap in dl.no_later_than:
        if _in_working_days(cap_deadline(dl, cap), data):
            continue
        start = cap_start(dl, cap) or "entered"
        if partial and start != "entered" and not start.startswith("item."):
            return False  # not judged on the item alone: said in real time, never overstated
        try:
            if cap_applies(dl, cap, data):
                return False
        except DeadlineError:
            return False
    return True


def may_count_working_days(dl: Any) -> bool:
    """Whether some case's data could make ``dl`` count working days (one of the durations its
    field may choose is in working days)."""
    from ..sop.schema_base import Unit
    if dl is None:
        return True
    within = dl.within
    units = [within.unit] if isinstance(within, Duration) else [d.unit for d in within.cases.values()]
    return Unit.working_days in units


def _in_working_days(dl: Any, data: dict[str, Any]) -> bool:
    """Whether the duration ``data`` chooses for ``dl`` is in working days (every duration it
    may take when ``data`` does not choose one)."""
    from ..engine.deadlines import DeadlineError, resolve_duration
    from ..sop.schema_base import Unit
    try:
        return resolve_duration(dl, data).unit == Unit.working_days
    except DeadlineError:
        within = dl.within
        units = [within.unit] if isinstance(within, Duration) else [d.unit for d in within.cases.values()]
        return all(u == Unit.working_days for u in units)


def in_working_days(sop: SOP, step_id: str, state: str) -> bool:
    """Whether the deadline of ``state`` of ``step_id`` counts working days (every duration it may
    take, for a deadline chosen by a field); True when the SOP does not say (lateness is always
    said in working days)."""
    from ..sop.schema import Duration
    from ..sop.schema_base import Unit
    step = sop.steps.get(step_id)
    st = step.states.get(state) if step else None
    dl = st.deadline if st else None
    if dl is None:
        return True
    within = dl.within
    units = [within.unit] if isinstance(within, Duration) else [d.unit for d in within.cases.values()]
    return all(u == Unit.working_days for u in units)


def due_words(cal: BusinessCalendar, kind: str, due: datetime, now: datetime, lang: str,
              working: bool = True) -> DueWords:
    """The words for a deadline ``due`` seen at ``now`` (both aware). Not late: « aujourd'hui »
    when due today (local), else « dans N jours ouvrés » (working days counted after today through
    the due date; « avant le prochain jour ouvré » when it falls before the next one). Late:
    :func:`late_words`. ``working`` False (a rule in hours or calendar days,
    :func:`counts_working_days`): in real time, :func:`real_time_words`."""
    when = instant_text(due, lang, str(cal.tz))  # with its year, as every date of the pages
    what = gettext(WORDS.get(kind, WORDS["act"]), lang)
    late = due < now
    if not working:
        return DueWords(what, when, real_time_words(due, now, lang), late, kind)
    left = late_words(cal, due, now, lang) if late else ahead_words(cal, due, now, lang)
    return DueWords(what, when, left, late, kind)


def priority_words(sop: SOP, case: Any, inst: Any, lang: str) -> str:
    """The priority of referral ``inst`` in words: the field that chooses its step's deadlines
    (``within: {by: form.field}``, e.g. ``referral.priority`` in the BF SOP, ``intake.priority``
    in an SOP whose priority is given at intake), read from the instance's data, then the case's;
    its option's label in ``lang``. '' when no deadline of the step is chosen by a field, or the
    field is empty (tryout 6, I5: « Priorité — » for such an SOP)."""
    from ..sop.schema_base import ByField
    step = sop.steps.get(inst.step)
    if step is None:
        return ""
    for st in step.states.values():
        within = st.deadline.within if st.deadline else None
        if not isinstance(within, ByField):
            continue
        form_id, field_id = within.by.split(".", 1)
        code = (((inst.data or {}).get(form_id) or {}).get(field_id)
                or ((case.data or {}).get(form_id) or {}).get(field_id))
        if not code:
            continue
        form = sop.forms.get(form_id)
        field = next((f for f in (form.fields if form else []) if f.id == field_id), None)
        options = field.options if field is not None and field.options else field_id
        return sop.label(sop.options.get(options, {}).get(str(code)), lang) or str(code)
    return ""
