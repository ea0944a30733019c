"""When a transition really happened, for a transition whose SOP says so (``effective_at:
form.field``): an answer given by phone on Monday and typed on the platform a week later
happened on Monday. The instant goes on the audit event as the effect ``{"effective_at": ISO}``,
read by the indicators (indicators/history.py) instead of the time it was typed (tryout 5, H21).

A date (no time) counts from the start of that day in the SOP's time zone; a datetime without
time zone is read in the SOP's time zone; an instant later than the transition (a clock ahead)
is the transition's own time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo


def instant_of(value: Any, timezone: str) -> datetime | None:
    """``value`` (a datetime, a date or their ISO text) as an aware UTC instant; None when it is
    none of them."""
    tz = ZoneInfo(timezone)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00")) if "T" in value or " " in value \
                else date.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=tz)).astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=tz).astimezone(UTC)
    return None


def effective_effects(sop: Any, t: Any, data: dict[str, Any], now: datetime) -> list[dict[str, str]]:
    """``[{"effective_at": ISO}]`` for transition ``t`` fired with form data ``data`` (``{form_id:
    data}``) at ``now``, when ``t`` has ``effective_at`` and the field holds a date or instant;
    ``[]`` otherwise."""
    if not getattr(t, "effective_at", None):
        return []
    form, _, fld = t.effective_at.partition(".")
    found = instant_of((data.get(form) or {}).get(fld), sop.calendar.timezone)
    if found is None:
        return []
    return [{"effective_at": min(found, now).isoformat()}]
