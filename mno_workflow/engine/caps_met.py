"""The ``no_later_than`` caps a case meets, in words, for the rule line shown next to a due date:
the case page's « Délai prévu par la procédure » (web/stepview.py) and a directory service
level's line (engine/service_levels.py) both say the caps that apply to this case, so a due date
24 hours away never sits next to « 3 jours » alone (tryout 4, G23; tryout 6, I9)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..sop.schema import SOP, Deadline


def period_words(sop: SOP, deadline: Any, data: dict[str, Any], lang: str) -> str:
    """The period of ``deadline`` in words as ``data`` chooses it
    (:func:`~mno_workflow.engine.deadlines.resolve_duration`; '' when the field that chooses it
    holds no listed value)."""
    from ..render.diagram_words import duration_words
    from .deadlines import DeadlineError, resolve_duration
    try:
        return duration_words(resolve_duration(deadline, data), lang)
    except DeadlineError:
        return ""


def caps_met(sop: SOP, deadline: Deadline, data: dict[str, Any], lang: str,
             hidden: Callable[[str], bool] | None = None) -> list[str]:
    """Each cap of ``deadline`` that counts for this case (:func:`~.deadlines.cap_applies` on
    ``data``: the case and instance data with ``item`` and the step instants), in words: « au
    plus tard 72 heures après « Date et heure de l'incident » », « au plus tard 24 heures si
    besoin immédiat ». A cap whose condition cannot be evaluated on the stored data is not said
    (the due date is). ``hidden``: whether the reader may not see the field at a path (a
    provider, :func:`mno_workflow.web.access.hidden_paths`): a cap counted from such a field is
    not said — « 72 heures après « Date et heure de l'incident » » beside the due date would give
    the hidden incident time (tryout 10, M4; the due date is then said to the day,
    :func:`hidden_cap_binds`)."""
    from ..i18n import quoted
    from ..render.diagram_words import TEXT, _field_label
    from ..render.plain import cap_condition
    out = []
    for cap, capped in applying_caps(deadline, data):
        period = period_words(sop, capped, data, lang)
        if not period:
            continue
        if capped.start and capped.start != "entered":
            if hidden is not None and hidden(capped.start):
                continue  # never said: with the due date it would give the hidden value (tryout 10, M4)
            start = quoted(_field_label(sop, capped.start, lang), lang)
            words = TEXT[lang]["no_later_than"].format(d=period, x=start)
        else:
            words = TEXT[lang]["no_later_than_entry"].format(d=period)
        if cap.when:  # what makes this case meet it: « si besoin immédiat »
            words = TEXT[lang]["if"].format(rule=words, condition=cap_condition(sop, cap, lang))
        out.append(words)
    return out


def hidden_cap_binds(deadline: Deadline | None, data: dict[str, Any],
                     hidden: Callable[[str], bool] | None) -> bool:
    """Whether a cap of ``deadline`` that counts for this case starts from a field the reader may
    not see (``hidden``, :func:`mno_workflow.web.access.hidden_paths`): the provider is then told
    the due day, not its time nor the hours left, which with the rule would give the hidden value
    (tryout 10, M4: due 06/12 08:10 = incident + 72 h)."""
    if deadline is None or hidden is None:
        return False
    return any(capped.start and capped.start != "entered" and hidden(capped.start)
               for _cap, capped in applying_caps(deadline, data))


def applying_caps(deadline: Deadline, data: dict[str, Any]):
    """``(cap, capped deadline)`` for each ``no_later_than`` cap of ``deadline`` that counts for
    this case (:func:`~.deadlines.cap_applies` on ``data``); a cap whose condition cannot be
    evaluated on the stored data is left out."""
    from .deadlines import DeadlineError, cap_applies, cap_deadline
    for cap in deadline.no_later_than:
        try:
            if not cap_applies(deadline, cap, data):
                continue
        except DeadlineError:
            continue
        yield cap, cap_deadline(deadline, cap)
