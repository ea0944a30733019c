"""What the M&E pages need beside the figures: their filters from the query string, their texts
(French, then English), the « Goulots d'étranglement » (open instances waiting for someone) and the
SVG chart of an indicator's breakdown."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..i18n import N_, gettext, pgettext
from ..indicators import periods
from ..indicators.present import Shown, fmt
from ..sop.schema import SOP
from ..store.models import Case, StepInstance

#: Legacy (French, English) pairs, read before the catalogues (``python -m mno_workflow.i18n.migrate``
#: moves them there as ``me.<key>``).
TEXT: dict[str, tuple[str, str]] = {}


def tr(key: str, lang: str = "fr", **kw: Any) -> str:
    """The text ``key`` in ``lang`` (msgid ``me.<key>`` of the catalogues; legacy ``TEXT`` pairs
    first), formatted with ``kw``."""
    pair = TEXT.get(key)
    if pair is not None:
        return (pair[1] if lang == "en" else pair[0]).format(**kw)
    from ..i18n import gettext
    return gettext(f"me.{key}", lang).format(**kw)


FILTER_PARAMS = {"region": "region", "sexe": "sex", "age": "age_group", "besoin": "need"}


@dataclass
class Filters:
    """The query string of an M&E page: ``period`` (text), dimension filters, and the error of a
    period that could not be read (the page then shows the current quarter and the error)."""

    period_text: str
    period: periods.Period
    dims: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    sop: str = ""  #: ``?sop=ID`` of the page (another registered SOP than the one chosen by default)

    def query(self) -> str:
        from urllib.parse import urlencode

        back = {v: k for k, v in FILTER_PARAMS.items()}
        return urlencode({"periode": self.period_text, **{back[k]: v for k, v in self.dims.items()},
                          **({"sop": self.sop} if self.sop else {})})


def current_quarter(today: date) -> str:
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


#: The groups of the period list, most recent first in each: (title, how many)
CHOICES = ((N_("Trimestres"), 8), (N_("Mois"), 12), (N_("Années"), 3))


def period_choices(today: date, chosen: Filters, lang: str) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    """The dashboard's period list: ``(group title, [(value of ?periode=, words, selected)])``, the
    last 8 quarters (« 4e trimestre 2026 », "Q4 2026"), 12 months and 3 years up to ``today``,
    most recent first; a chosen period that is none of them (a range, an older quarter) first, by
    itself. The values are the codes API clients send (``2026Q4``, ``2026-11``, ``2026``)."""
    quarter, month = today.year * 4 + (today.month - 1) // 3, today.year * 12 + today.month - 1
    codes = ([f"{(quarter - k) // 4}Q{(quarter - k) % 4 + 1}" for k in range(CHOICES[0][1])],
             [f"{(month - k) // 12}-{(month - k) % 12 + 1:02d}" for k in range(CHOICES[1][1])],
             [str(today.year - k) for k in range(CHOICES[2][1])])
    groups = []
    for (title, _n), values in zip(CHOICES, codes, strict=True):
        items = [(v, p.label(lang), p == chosen.period) for v in values for p in (periods.parse(v),)]
        groups.append((gettext(title, lang), items))
    if not any(sel for _t, items in groups for _v, _w, sel in items):
        groups.insert(0, (gettext("Période choisie", lang),
                          [(chosen.period_text, chosen.period.label(lang), True)]))
    return groups


def read_filters(params: dict[str, str], today: date, forced_region: str | None = None,
                 lang: str = "fr") -> Filters:
    """:class:`Filters` from query parameters ``periode`` (or ``autre``), ``region``, ``sexe``, ``age``,
    ``besoin``;
    ``forced_region`` (a supervisor's own region) wins over the query; the error of a period that
    cannot be read is in ``lang``."""
    # « Autre période » (a range typed on the page) wins over the list; ``periode`` is what API
    # clients and every link of the pages send
    text = ((params.get("autre") or "").strip() or (params.get("periode") or "").strip()
            or current_quarter(today))
    error = None
    try:
        period = periods.parse(text)
    except periods.PeriodError as e:
        error, text = e.text(lang), current_quarter(today)
        period = periods.parse(text)
    dims = {dim: str(params[p]).strip() for p, dim in FILTER_PARAMS.items() if (params.get(p) or "").strip()}
    if forced_region:
        dims["region"] = forced_region
    return Filters(text, period, dims, error)


def bottlenecks(
    session: Session, sop: SOP, region: str | None = None, per_state: dict | None = None
) -> list[tuple[str, str, int]]:
    """``(step, state, open instances)`` of open cases in states that wait for someone (the state
    has an ``owner``): standing states (consent given, withdrawn…) have none and are left out.
    ``per_state``: the ``{(step, state): n}`` of :func:`.queries.dashboard` when already read."""
    if per_state is None:
        q = (
            select(StepInstance.step, StepInstance.state, func.count())
            .join(Case, Case.id == StepInstance.case_id)
            .where(StepInstance.final.is_(False), Case.status == "open")
            .group_by(StepInstance.step, StepInstance.state)
        )
        if region:
            q = q.where(Case.region == region)
        per_state = {(step, state): n for step, state, n in session.execute(q).all()}
    order = {sid: n for n, sid in enumerate(sop.steps)}
    out = []
    for (step, state), n in per_state.items():
        st = sop.steps.get(step)
        if st is None or state not in st.states or st.states[state].owner is None:
            continue
        out.append((step, state, n))
    return sorted(out, key=lambda r: (order.get(r[0], 99), list(sop.steps[r[0]].states).index(r[1])))


def indicator_chart(shown: Shown, table: int, lang: str) -> Markup:
    """The bar chart of breakdown ``table`` of ``shown`` (hidden cells drawn as 0 with their mark)."""
    from .charts import bar_chart

    if table >= len(shown.tables):
        return Markup("")
    _dims, dim_labels, rows = shown.tables[table]
    percent = shown.count == "within_deadline"
    unit = (
        pgettext("percent", "{value}\u202f%", lang, value="")  # the sign after a number: « 12 % », "12%"
        if percent
        else " " + gettext("j", lang)
        if shown.count == "duration"
        else ""
    )
    items = [
        (" × ".join(r.labels), r.raw or 0, None if r.raw is not None else fmt(r.value, lang)) for r in rows
    ]
    return bar_chart(items, title=f"{shown.label} — {' × '.join(dim_labels)}", unit=unit, lang=lang)


def now_day(now: datetime, sop: SOP) -> date:
    from zoneinfo import ZoneInfo

    return now.astimezone(ZoneInfo(sop.calendar.timezone)).date()
