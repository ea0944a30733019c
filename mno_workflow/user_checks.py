"""What ``mno user add`` checks before writing an account: the login's form, an existing account
(changed only with ``--update``), the region among the SOP's region codes and a provider's
organisation among the directory's organisations (and, for the case lists, a region filter:
:func:`known_regions`), each refused with a sentence in the
``--lang`` language and the nearest known value (« vouliez-vous dire « kadiogo » ? »).

Tryout 3 (F22, F23): ``mno user add mariam.kabore …`` silently replaced an existing person's
name and password; ``--region kadigo`` and ``--organisation org-nexistepas`` were stored, so the
account never saw a case or a referral."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from .engine.errors import Message, RoleName
from .store.models import User

#: a login: letters, digits and . _ - @, no space, starting with a letter or a digit
LOGIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")


def login_problem(user_id: str) -> Message | None:
    """Why ``user_id`` cannot be a login (None: it can)."""
    if LOGIN.match(user_id):
        return None
    return Message.t("Identifiant invalide « {user} » : lettres, chiffres et . _ - @ seulement, sans espace "
                     "(ex. mariam.kabore).", user=user_id)


def existing_problem(existing: User | None, update: bool) -> Message | None:
    """An account with this login exists and ``--update`` was not given."""
    if existing is None or update:
        return None
    return Message.t("Le compte « {user} » existe déjà ({name}, {role}) : rien n'a été modifié. Pour le "
                     "modifier (nom, rôle, mot de passe…), relancez avec --update.",
                     user=existing.id, name=existing.display_name, role=RoleName(existing.role or ""))


def _nearest(value: str, known: Iterable[str]) -> str:
    found = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
    return found[0] if found else ""


def region_problem(region: str | None, codes: set[str]) -> Message | None:
    """``region`` is not one of the SOP's region codes (``codes`` empty: nothing to check)."""
    if not region or not codes or region in codes:
        return None
    near = _nearest(region, codes)
    if near:
        return Message.t("Région inconnue « {region} » : vouliez-vous dire « {near} » ? (codes de la POS : "
                         "{codes})", region=region, near=near, codes=", ".join(sorted(codes)))
    return Message.t("Région inconnue « {region} » (codes de la POS : {codes})", region=region,
                     codes=", ".join(sorted(codes)))


def organisation_problem(organisation: str | None, known: set[str]) -> Message | None:
    """A provider's ``organisation`` is not an organisation of the directory (``known`` empty:
    no directory in this database, nothing to check)."""
    if not organisation or not known or organisation in known:
        return None
    near = _nearest(organisation, known)
    if near:
        return Message.t("Organisation inconnue de l'annuaire « {organisation} » : vouliez-vous dire "
                         "« {near} » ?", organisation=organisation, near=near)
    return Message.t("Organisation inconnue de l'annuaire « {organisation} » (mno directory search pour "
                     "la trouver, ou importez-la d'abord : mno directory import)", organisation=organisation)


def directory_organisations(session) -> set[str]:
    """The ids of the directory's organisations (empty without a directory)."""
    from sqlalchemy import inspect, select

    from .directory.tables import TABLES
    org = TABLES["organization"]
    if not inspect(session.connection()).has_table(org.name):
        return set()
    return set(session.scalars(select(org.c.id)))


def known_regions(session, registry) -> set[str]:
    """The region codes of every loaded SOP version (``registry``: the engine's), for
    :func:`region_problem` — ``mno case list --region`` and ``GET /api/v1/cases?region=`` name an
    unknown region with them, as ``mno user add`` does (tryout 5, G18)."""
    from sqlalchemy import select

    from .store.models import SopVersion
    codes: set[str] = set()
    for row in session.scalars(select(SopVersion)):
        codes |= set(registry.compiled(row).sop.options.get("region") or {})
    return codes
