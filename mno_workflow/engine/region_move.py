"""A case moved to another region by an edit of its data (BF SOP « Rectifier l'identification »
changing « Région de retour », tryout 10, M9): never silently out of every supervisor's reach.

The case's ``region`` (and its deadlines' copy, kept by the database's trigger, store/next_due.py)
follows the data in force, so the supervisors of the former region no longer see the case, and
its case manager, of that former region, keeps it: the reassignment rule (engine/reassign_rules.py:
a case of a region to a case manager of that region) is not applied by itself — choosing the new
case manager is the supervisor's. So the edit is not refused, but:

* the supervisors (every role that may reassign the SOP's cases) of the new region are told through
  the outbox, in the edit's transaction (:func:`tell_new_region`, template ``region_moved``: the
  reference, the two regions, who edited and who holds the case — never the reason typed);
* whoever made the edit reads a warning (:func:`region_warning`: the page's flash, the API's
  ``warnings``, a line of ``mno case fire``) naming the new region, the case manager who still holds
  it and who may reassign it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..i18n import gettext
from .errors import RoleName
from .reassign_rules import may_reassign


def region_name(sop: Any, key: str | None, lang: str) -> str:
    """A region's label in ``lang`` (« Yaadga »), its key when the SOP does not name it."""
    label = sop.options.get("region", {}).get(key or "")
    return sop.label(label, lang) if label else (key or "—")


def tell_new_region(s: Any, case: Any, sop: Any, actor: Any, before: str | None,
                    now: datetime) -> list[dict[str, Any]]:
    """When ``case.region`` is no longer ``before`` (a region it had): the ``region_moved`` notice
    to the new region's supervisors, and the audit effect ``{"region": {"from", "to"}, "notified":
    "region", "messages": n}``; ``[]`` when the region did not change."""
    if not before or case.region == before:
        return []
    from ..store.models import User
    from ..store.outbox import enqueue
    who = s.get(User, actor.user) if actor.user else None
    holder = s.get(User, case.assignee) if case.assignee else None
    context = {"reference": case.reference, "from_region": before, "to_region": case.region,
               "by_name": (who.display_name if who else None) or actor.user or "—",
               "assignee_name": (holder.display_name if holder else None) or case.assignee or "—"}
    sent = 0
    for role in (r for r in sop.roles if may_reassign(sop, r)):
        sent += len(enqueue(s, case=case, inst=None, role=role, scope="all", kind="notify",
                            template="region_moved", context=dict(context), now=now))
    return [{"region": {"from": before, "to": case.region}, "notified": "region", "messages": sent}]


def region_warning(s: Any, sop: Any, case: Any, before: str, lang: str) -> str:
    """« Région du dossier changée : Kadiogo → Yaadga. Il reste attribué à Mariam Kaboré,
    gestionnaire de cas de Kadiogo : il faut le réattribuer à un gestionnaire de cas de Yaadga. Peut le
    faire : Superviseur de Yaadga ; une notification les en avertit. » (regions by their labels)"""
    new, old = region_name(sop, case.region, lang), region_name(sop, before, lang)
    roles = [RoleName(r).text(lang) for r in sop.roles if may_reassign(sop, r)]
    from ..store.models import User
    person = s.get(User, case.assignee) if case.assignee else None
    holder = (person.display_name if person else None) or case.assignee or ""
    said = gettext("Région du dossier changée : {old} → {new}.", lang, old=old, new=new)
    if holder:
        said += " " + gettext("Il reste attribué à {name}, gestionnaire de cas de {old} : il faut le "
                              "réattribuer à un gestionnaire de cas de {new}.", lang, name=holder,
                              old=old, new=new)
    else:
        said += " " + gettext("Il faut l'attribuer à un gestionnaire de cas de {new}.", lang, new=new)
    return said + " " + gettext("Peut le faire : {roles} de {new} ; une notification les en avertit.", lang,
                                roles=" / ".join(roles) or "—", new=new)
