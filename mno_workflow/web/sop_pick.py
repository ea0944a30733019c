"""Which SOP a page shows when the database holds several (``mno sop load other.yaml``, a new SOP
id published with the workbench): « Nouveau dossier » and the « Procédures (POS) » pages take
``?sop=ID``; without it they show the user's SOP: the one their account works in
(``users.sop_id``), else the one most of the open cases assigned to them run on, else the server's
first SOP — the one every page used before. Lists that mix cases of several SOPs (« Mon travail »,
notifications) word each row with its own case's SOP (:class:`RowSops`).

:func:`choices` gives the SOPs as a page lists them: by title, never by id
(:mod:`mno_workflow.engine.sop_choice` for the list and the errors).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..engine import sop_choice
from ..engine.compile import CompiledSOP
from ..engine.errors import SOPNotFound
from ..store.models import Case, SopVersion, User
from . import access

if TYPE_CHECKING:
    from .core import Web


@dataclass(frozen=True)
class Choice:
    """One registered SOP on a page: id (for the URL or the form), title in the reader's language,
    version, and whether it is the one shown."""

    sop_id: str
    title: str
    version: str
    current: bool


def user_sop(s: Session, user: User) -> str | None:
    """The SOP of most of the open cases assigned to ``user`` (None: no open case, or a tie)."""
    rows = s.execute(select(SopVersion.sop_id, func.count()).join(Case, Case.sop_version_id == SopVersion.id)
                     .where(Case.assignee == user.id, Case.status == "open")
                     .group_by(SopVersion.sop_id).order_by(func.count().desc()).limit(2)).all()
    if not rows or (len(rows) == 2 and rows[0][1] == rows[1][1]):
        return None
    return rows[0][0]


def own(web: Web, s: Session, user: User) -> CompiledSOP:
    """The SOP ``user`` works in, latest version: the account's SOP (``users.sop_id``) when set
    and registered, else the one of most of their open cases (:func:`user_sop`) when several are
    registered, else the server's first SOP."""
    wanted = getattr(user, "sop_id", None) or None
    if wanted is None and s.scalar(select(func.count(func.distinct(SopVersion.sop_id)))) > 1:
        wanted = user_sop(s, user)
    if wanted:
        try:  # the same SOP's latest row read once (registry.latest), not looked up twice
            return web.wf.registry.compiled(web.wf.registry.latest(s, wanted))
        except SOPNotFound:  # an account of an SOP no longer registered: the server's first
            pass
    return web.latest(s)


class RowSops:
    """The SOP of each row of a list that may mix cases of several SOPs, from the case's SOP
    version id (cached: one compiled SOP per version), ``default`` for a row without one."""

    def __init__(self, web: Web, s: Session, default: CompiledSOP) -> None:
        self._web, self._s, self.default = web, s, default
        self._seen: dict[int, CompiledSOP] = {}

    def compiled(self, version_id: int | None) -> CompiledSOP:
        """The compiled SOP of the version ``version_id`` (None: ``default``)."""
        if version_id is None:
            return self.default
        if version_id not in self._seen:
            self._seen[version_id] = self._web.wf.registry.compiled_id(self._s, version_id)
        return self._seen[version_id]

    def sop(self, version_id: int | None):
        """The SOP (``.sop`` of :meth:`compiled`) for the template's labels."""
        return self.compiled(version_id).sop


def pick(web: Web, s: Session, user: User, sop_id: str | None, *, own_only: bool = False
         ) -> tuple[CompiledSOP, list[sop_choice.Registered]]:
    """The SOP a page shows (``sop_id`` from ``?sop=``: a registered SOP, else 404; None: the
    user's own SOP when obvious, else the server's first) and every registered SOP. With
    ``own_only`` (« Nouveau dossier »), an account tied to one SOP (``users.sop_id``) is offered
    that SOP only, and another one is 404 (the engine refuses it too, tryout 6, I1)."""
    regs = sop_choice.registered(s, web.wf.registry)
    if own_only and getattr(user, "sop_id", None):
        regs = [r for r in regs if r.sop_id == user.sop_id] or regs
    if sop_id:
        for r in regs:
            if r.sop_id == sop_id:
                return r.compiled, regs
        raise access.NotVisible()
    if own_only and len(regs) == 1 and regs[0].sop_id == getattr(user, "sop_id", None):
        return regs[0].compiled, regs
    if len(regs) > 1:
        mine = own(web, s, user)
        for r in regs:
            if r.sop_id == mine.sop.sop:
                return r.compiled, regs
    return web.latest(s), regs


def choices(regs: list[sop_choice.Registered], shown: str, lang: str) -> list[Choice]:
    """The registered SOPs for a page (empty when there is only one: nothing to choose)."""
    if len(regs) < 2:
        return []
    return [Choice(r.sop_id, r.label(lang), r.version, r.sop_id == shown) for r in regs]


def query(sop_id: str, web: Web, s: Session) -> str:
    """``?sop=ID`` for the links of a page showing the SOP ``sop_id`` (empty for the server's
    first SOP, so its URLs stay as they were)."""
    return "" if sop_id == web.sop_id(s) else f"?sop={sop_id}"
