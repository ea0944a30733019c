"""``--now`` of ``mno remind`` and ``mno retention run``: the simulated instant typed as ISO 8601
with an offset (``2025-06-10T08:00:00Z``) or day first as the rest of the command line
(« 10/06/2025 08:00 »), read in the time zone of the SOP calendars of the database when they have
exactly one; errors in words of the ``--lang`` language (exit 2, a usage error)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..i18n import N_
from .common import _, fail, open_engine

if TYPE_CHECKING:  # pragma: no cover
    from ..engine.engine import WorkflowEngine

#: The shapes ``--now`` reads (for the help texts of both commands).
NOW_HELP = N_("Instant simulé (tests, scénarios) : JJ/MM/AAAA HH:MM dans le fuseau de la POS, "
              "ou ISO 8601 avec fuseau (2025-06-10T08:00:00Z).")


def sop_time_zones(engine: WorkflowEngine) -> list[str]:
    """The time zones of the calendars of the SOPs in the database (latest version of each),
    sorted, each once."""
    from sqlalchemy import select

    from ..engine.event_sops import sop_of_row
    from ..store.models import SopVersion
    zones: set[str] = set()
    with engine.sessions() as s:
        for sop_id in s.scalars(select(SopVersion.sop_id).distinct()):
            zones.add(sop_of_row(engine.registry.latest(s, sop_id)).calendar.timezone)
    return sorted(zones)


def engine_at(now: str | None) -> WorkflowEngine:
    """The engine on the selected database, with a simulated clock at ``now`` when given (see the
    module's docstring), else the system clock."""
    if not now:
        return open_engine()
    from datetime import UTC, datetime

    from ..engine.clock import SimulatedClock
    from ..i18n.dates import NoTimeZone, read_instant
    try:
        instant: datetime | None = read_instant(now)
    except NoTimeZone:
        instant = None  # read in the SOPs' time zone, once the database is open
    except ValueError:
        fail(_("--now : instant illisible « {value} » ; saisir JJ/MM/AAAA HH:MM ou un instant "
               "ISO 8601 avec fuseau (ex. 10/06/2025 08:00 ou 2025-06-10T08:00:00Z), avec une "
               "date qui existe", value=now), 2)
        raise  # unreachable
    clock = SimulatedClock(instant or datetime.now(UTC))
    engine = open_engine(clock)
    if instant is None:
        zones = sop_time_zones(engine)
        if not zones:
            fail(_("--now : « {value} » n'a pas de fuseau horaire et aucune POS n'est chargée ; "
                   "ajoutez le décalage, ex. 2025-06-10T08:00:00+00:00", value=now), 2)
        if len(zones) > 1:
            fail(_("--now : « {value} » n'a pas de fuseau horaire et les POS chargées en ont "
                   "plusieurs ({zones}) ; ajoutez le décalage, ex. 2025-06-10T08:00:00+00:00",
                   value=now, zones=", ".join(zones)), 2)
        clock.set(read_instant(now, zones[0]))
    return engine
