"""Which registered SOP a page, the API or a command means when a database holds several
(``mno sop load other.yaml``, a new SOP id published with the workbench): the list of registered
SOPs (the latest version of each, labelled by its title), an SOP looked up by id with an error
naming the known ones, and the one rule the M&E paths share (dashboard, ``/rapport``, ``mno
report``, ``mno export tables|dhis2``): the SOP asked for; else the only one; else the only one with
an ``indicators:`` section; else an error listing them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..store.models import SopVersion
from .compile import CompiledSOP
from .errors import EngineError, Labels, Message, SOPNotFound


class SOPUnknown(EngineError):
    """No registered SOP has that id (the message names the registered ones)."""

    code, http_status = "sop_unknown", 422


class SOPAmbiguous(EngineError):
    """Several SOPs are registered and nothing says which one is meant."""

    code, http_status = "sop_ambiguous", 422


class SOPWithoutIndicators(EngineError):
    """The chosen SOP has no ``indicators:`` section."""

    code, http_status = "sop_without_indicators", 404
    chosen: CompiledSOP | None = None


@dataclass(frozen=True)
class Registered:
    """The latest version of one registered SOP: its id, version, title (an SOP label) and
    compiled form."""

    sop_id: str
    version: str
    title: Any
    compiled: CompiledSOP

    def label(self, lang: str) -> str:
        """The SOP's title in ``lang`` (French as a fallback), never its id."""
        return Labels((self.title,)).text(lang) if self.title else self.sop_id


@dataclass(frozen=True)
class SopNames:
    """Registered SOPs as one value of a message: « Titre (id) ; Titre (id) » in the reader's
    language."""

    sops: tuple[tuple[Any, str], ...]

    def text(self, lang: str = "fr") -> str:
        from ..i18n import listed
        return listed([f"{Labels((t,)).text(lang) if t else i} ({i})" for t, i in self.sops], lang)


def registered(s: Session, registry) -> list[Registered]:
    """The latest version of every registered SOP, the first registered SOP first."""
    first = (select(SopVersion.sop_id, func.min(SopVersion.id).label("first"),
                    func.max(SopVersion.id).label("last")).group_by(SopVersion.sop_id).subquery())
    rows = s.execute(select(SopVersion.id, SopVersion.sop_id, SopVersion.version)
                     .join(first, SopVersion.id == first.c.last).order_by(first.c.first)).all()
    out = []
    for vid, sop_id, version in rows:  # compiled SOPs from the cache: no SOP text read per page
        compiled = registry.compiled_id(s, vid)
        out.append(Registered(sop_id, version, compiled.sop.title, compiled))
    return out


def names(regs: list[Registered]) -> SopNames:
    return SopNames(tuple((r.title, r.sop_id) for r in regs))


def find(regs: list[Registered], sop_id: str) -> Registered:
    """The registered SOP ``sop_id``. Raises :class:`SOPUnknown` naming the registered ones."""
    for r in regs:
        if r.sop_id == sop_id:
            return r
    raise SOPUnknown(Message.t("POS inconnue : « {sop_id} ». POS enregistrées : {sops}.",
                               sop_id=sop_id, sops=names(regs)), sop=sop_id,
                     known=[r.sop_id for r in regs])


def for_indicators(s: Session, registry, sop_id: str | None = None, *, hint: Message | None = None
                   ) -> CompiledSOP:
    """The SOP the M&E paths report on: ``sop_id`` when given; else the only registered SOP; else
    the only one with an ``indicators:`` section. Raises :class:`SOPUnknown`,
    :class:`SOPAmbiguous` (``hint`` says how to choose: « --sop ID » on the command line),
    :class:`SOPWithoutIndicators` (naming the SOP) or :class:`SOPNotFound` (none registered)."""
    regs = registered(s, registry)
    if not regs:
        raise SOPNotFound(Message.t("Aucune POS chargée (mno sop load)"))
    if sop_id:
        chosen = find(regs, sop_id)
    elif len(regs) == 1:
        chosen = regs[0]
    else:
        measured = [r for r in regs if r.compiled.sop.indicators is not None]
        if len(measured) != 1:
            raise SOPAmbiguous(Message.t(
                "Plusieurs POS sont enregistrées : {sops}. {hint}", sops=names(regs),
                hint=hint or Message.t("Choisissez-en une.")), known=[r.sop_id for r in regs])
        chosen = measured[0]
    if chosen.compiled.sop.indicators is None:
        e = SOPWithoutIndicators(Message.t(
            "La POS {title} ({sop_id}) n'a pas de section indicators:.", title=Labels((chosen.title,)),
            sop_id=chosen.sop_id), sop=chosen.sop_id)
        e.chosen = chosen.compiled  # pages show it without indicators (its operational blocks)
        raise e
    return chosen.compiled


def for_pages(s: Session, registry, sop_id: str | None, first: str) -> CompiledSOP:
    """The SOP of an M&E page or of ``GET /api/v1/stats``: as :func:`for_indicators`, but an SOP
    without indicators is still shown (its operational counts), and where the rule cannot choose
    (several SOPs with indicators, or none) the server's ``first`` SOP. Raises :class:`SOPUnknown`."""
    try:
        return for_indicators(s, registry, sop_id)
    except SOPWithoutIndicators as e:
        return e.chosen
    except SOPAmbiguous:
        return registry.compiled(registry.latest(s, first))


def for_directory(s: Session, registry, sop_id: str | None, account_sop: str | None, *,
                  hint: Message) -> CompiledSOP | None:
    """The SOP a directory search runs for — its regions and needs (tryout 8, K6): ``sop_id``
    (``?sop=``, ``--sop``); else the account's SOP (``users.sop_id``) when registered; else the
    only registered SOP; None when none is registered (Burkina Faso's areas, as before any SOP).
    Raises :class:`SOPUnknown`, or :class:`SOPAmbiguous` when several are registered and nothing
    says which (an account of every SOP): ``hint`` says how to choose, never a guess."""
    regs = registered(s, registry)
    if sop_id:
        return find(regs, sop_id).compiled
    mine = [r for r in regs if account_sop and r.sop_id == account_sop]
    if mine or len(regs) == 1:
        return (mine or regs)[0].compiled
    if not regs:
        return None
    raise SOPAmbiguous(Message.t(
        "Plusieurs POS sont chargées : {sops}. Le répertoire cherche dans les régions et les besoins "
        "d'une seule POS : {hint}", sops=names(regs), hint=hint), known=[r.sop_id for r in regs])
