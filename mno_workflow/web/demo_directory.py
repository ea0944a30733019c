"""The demo's use of the sample service directory: the service a demo referral names (the one the
matching proposes), and the sample data-sharing agreements kept in force from the day the demo
is loaded (split from :mod:`.demo_data`)."""

from __future__ import annotations

from ..engine.engine import WorkflowEngine


def directory_service(wf: WorkflowEngine, need: str, region: str, org: str,
                      cache: dict[tuple[str, str, str], tuple[str, str]]) -> tuple[str, str]:
    """``(service_id, service name)`` of organisation ``org``'s directory service for ``need``: the
    one the matching proposes in ``region`` (as ``mno demo`` picks it), else in the other demo
    region (the sample CSPS has no Yaadga coverage, the mairie none in Kadiogo). Raises
    ValueError when ``org`` offers no service for ``need`` (the demo table and the directory
    disagree): a referral is never sent without its service. ``cache``: answers of this load."""
    from .. import directory

    key = (need, region, org)
    if key not in cache:
        with wf.sessions() as s:
            for where in (region, *(r for r in ("kadiogo", "yaadga") if r != region)):
                found = [c for c in directory.match(s, need, where, limit=50) if c.organization_id == org]
                if found:
                    cache[key] = (found[0].service_id, found[0].service_name)
                    break
            else:
                raise ValueError(f"demo: no directory service of {org} for {need}")
    return cache[key]


def agreements_in_force(s, today) -> None:
    """The sample directory's data-sharing agreements (fictitious, ending 31/12/2028) kept in force
    for three years from the day the demo is loaded, as its cases are dated from that day: a demo
    loaded in 2029 still refers. Another database's agreements are never touched."""
    from sqlalchemy import update

    from ..directory.tables import TABLES

    until = today.replace(year=today.year + 3, day=28 if (today.month, today.day) == (2, 29) else today.day)
    agr = TABLES["sharing_agreement"]
    s.execute(update(agr).where(agr.c.expires_on < until).values(expires_on=until))
