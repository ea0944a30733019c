"""Which SOP an account works in (``users.sop_id``, tryout 5, H24): the SOPs of a database with
their titles and region codes, the choice ``mno user add --sop`` and the admin page make (an
unknown SOP named with the known ones; without ``--sop``, the SOP whose region list holds
``--region``), and the title to show for an account's SOP.

A database with several SOPs (Burkina Faso's ``mnr_bf`` beside Senegal's ``mnr_sn``) needs its
staff tied to the SOP they work in: an account with ``sop_id`` sees, receives and is given only
that SOP's cases (:func:`mno_workflow.web.access.sop_admits`); without, every SOP."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .engine.errors import Labels, Message


@dataclass(frozen=True)
class SopInfo:
    """One SOP of the database (its newest version): id, title (``{fr, en}``), region codes."""

    sop_id: str
    title: Any
    regions: frozenset[str] = field(default_factory=frozenset)

    def label(self, lang: str = "fr") -> str:
        return Labels((self.title,)).text(lang) if self.title else self.sop_id


def known_sops(session: Any, registry: Any) -> dict[str, SopInfo]:
    """The SOPs loaded in this database, by id, from the newest version of each."""
    from sqlalchemy import select

    from .store.models import SopVersion
    newest = {v.sop_id: v for v in session.scalars(select(SopVersion).order_by(SopVersion.id))}
    out: dict[str, SopInfo] = {}
    for sop_id in sorted(newest):
        sop = registry.compiled(newest[sop_id]).sop
        out[sop_id] = SopInfo(sop_id, sop.title, frozenset(sop.options.get("region") or {}))
    return out


def _titled(s: SopInfo) -> dict[str, str]:
    """« Mécanisme … (mnr_bf) » in each language of the title: the id to type after --sop."""
    title = s.title or {"fr": s.sop_id}
    return {lang: f"{text} ({s.sop_id})" for lang, text in title.items()}


def sop_problem(sop_id: str | None, sops: dict[str, SopInfo]) -> Message | None:
    """``sop_id`` is not a SOP of this database (None: no SOP asked, or a known one)."""
    if not sop_id or sop_id in sops:
        return None
    return Message.t("POS inconnue « {sop} » : les POS de cette base sont {known}.", sop=sop_id,
                     known=Labels(tuple(_titled(s) for s in sops.values()), sep=" ; "))


def sop_for_region(region: str | None, sops: dict[str, SopInfo]) -> tuple[str | None, Message | None]:
    """Without ``--sop``: the SOP whose region list holds ``region`` when the database has several
    SOPs (``(None, None)``: one SOP or no region, the account works in every SOP; ``(None, a
    message)``: several SOPs list that region, ``--sop`` must say which)."""
    if not region or len(sops) < 2:
        return None, None
    having = [s for s in sops.values() if region in s.regions]
    if len(having) == 1:
        return having[0].sop_id, None
    if len(having) > 1:
        return None, Message.t("La région « {region} » existe dans plusieurs POS ({sops}) : précisez "
                               "laquelle avec --sop.", region=region,
                               sops=Labels(tuple(_titled(s) for s in having), sep=" ; "))
    return None, None  # in no SOP: region_problem names the codes


def sop_region_problem(region: str | None, sop_id: str | None, sops: dict[str, SopInfo]) -> Message | None:
    """A ``region`` for an account of a SOP that lists no region (None: no problem)."""
    if not region or not sop_id or sop_id not in sops or sops[sop_id].regions:
        return None
    return Message.t("La POS « {sop} » n'a pas de liste de régions : créez le compte sans --region.",
                     sop=Labels((sops[sop_id].title,)))


def regions_of(sop_id: str | None, sops: dict[str, SopInfo]) -> set[str]:
    """The region codes ``--region`` is checked against: the account's SOP's, else every SOP's."""
    if sop_id and sop_id in sops:
        return set(sops[sop_id].regions)
    return {code for s in sops.values() for code in s.regions}


def sop_label(sop_id: str | None, sops: dict[str, SopInfo], lang: str) -> str:
    """The title of an account's SOP in ``lang``; « toutes les POS » / "every SOP" without one."""
    from .i18n import gettext
    if not sop_id:
        return gettext("toutes les POS", lang)
    return sops[sop_id].label(lang) if sop_id in sops else sop_id


@dataclass(frozen=True)
class Tied:
    """What :func:`tie_by_region` did: accounts tied to the one SOP that lists their region
    (``(login, sop_id, region)``), accounts left in every SOP because several SOPs list their
    region (``(login, region)``), and accounts without region left in every SOP (logins)."""

    tied: tuple[tuple[str, str, str], ...] = ()
    ambiguous: tuple[tuple[str, str], ...] = ()
    national: tuple[str, ...] = ()


def tie_by_region(session: Any, registry: Any, before: set[str]) -> Tied:
    """When a database that held the SOPs ``before`` now holds another one (``mno sop load`` of a
    new SOP id): every active account without SOP (``users.sop_id`` NULL, created when the base
    had one SOP) whose region only one SOP lists is tied to that SOP, the rule ``mno user add``
    applies when it is given a region (tryout 7, J1: a Burkina Faso case manager of Kadiogo was
    offered the Côte d'Ivoire SOP and opened Ivorian cases). Nothing is done when no new SOP came
    or there is still one SOP. The accounts left in every SOP are returned too, to be said."""
    from sqlalchemy import select

    from .store.models import User
    sops = known_sops(session, registry)
    if len(sops) < 2 or not set(sops) - before:
        return Tied()
    tied, ambiguous, national = [], [], []
    everywhere = (User.sop_id.is_(None)) | (User.sop_id == "")
    users = session.scalars(select(User).where(User.active.is_(True), everywhere).order_by(User.id))
    for user in users:
        if not user.region:
            national.append(user.id)
            continue
        having = [s.sop_id for s in sops.values() if user.region in s.regions]
        if len(having) == 1:
            user.sop_id = having[0]
            tied.append((user.id, having[0], user.region))
        elif len(having) > 1:
            ambiguous.append((user.id, user.region))
    return Tied(tuple(tied), tuple(ambiguous), tuple(national))


def tied_lines(done: Tied, sops: dict[str, SopInfo]) -> list[Message]:
    """:func:`tie_by_region`'s result in words, one message per line to print."""
    lines = []
    for login, sop_id, region in done.tied:
        lines.append(Message.t(
            "Compte {user} rattaché à la POS « {sop} » : sa région « {region} » n'existe que dans cette "
            "POS (toutes les POS : mno user add {user} --update --sop all).",
            user=login, sop=Labels((sops[sop_id].title,)) if sop_id in sops else sop_id, region=region))
    for login, region in done.ambiguous:
        lines.append(Message.t(
            "Compte {user} : sa région « {region} » existe dans plusieurs POS, il travaille sur toutes "
            "les POS (une seule : mno user add {user} --update --sop …).", user=login, region=region))
    if done.national:
        lines.append(Message.t(
            "Comptes sans région, qui travaillent sur toutes les POS : {users} (une seule : mno user add "
            "… --update --sop …).", users=", ".join(done.national)))
    return lines
