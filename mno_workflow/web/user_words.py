"""Users named on pages by their display name, never by a bare id (issue 18): the access log's
user column, the case list's assignee, Mon travail's assignee. The id stays at hand for auditors
(the ``title`` of the name, and printed beside a word when there is no user row to name it): an
account deleted from the users table is « compte supprimé », a command-line reader (``cli:login``,
role ``cli``) is « ligne de commande »; each in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select

from ..i18n import gettext
from ..store.models import User


@dataclass(frozen=True)
class UserShown:
    """How a page shows one user id: ``name`` (the display name, or a word when ``known`` is
    False) and the ``id`` itself (``title``, and printed beside the word)."""

    name: str
    id: str
    known: bool


def user_names(session, ids: Iterable[str | None] | None = None) -> dict[str, str]:
    """``{user id: display name}`` of ``ids`` (every user when None)."""
    q = select(User.id, User.display_name)
    if ids is not None:
        wanted = sorted({i for i in ids if i})
        if not wanted:
            return {}
        q = q.where(User.id.in_(wanted))
    return {i: name or i for i, name in session.execute(q).all()}


def inactive_users(session, ids: Iterable[str | None]) -> set[str]:
    """The deactivated accounts among ``ids`` (a page marks them « (désactivé) »: tryout 5, H26)."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return set()
    return set(session.scalars(select(User.id).where(User.id.in_(wanted), User.active.is_(False))))


def user_shown(user_id: str | None, names: Mapping[str, str], lang: str,
               role: str | None = None) -> UserShown | None:
    """``user_id`` as a page shows it (None for no user): its display name from ``names``, else
    « ligne de commande » for a command-line reader, else « compte supprimé » (the id kept)."""
    if not user_id:
        return None
    if user_id in names:
        return UserShown(names[user_id], user_id, True)
    if role == "cli" or user_id.startswith("cli:"):
        return UserShown(gettext("ligne de commande", lang), user_id, False)
    return UserShown(gettext("compte supprimé", lang), user_id, False)


def name_of(session, user_id: str, lang: str) -> str:
    """One user's display name (« compte supprimé » without a user row), for a message."""
    shown = user_shown(user_id, user_names(session, [user_id]), lang)
    return shown.name if shown else ""


def namer(names: Mapping[str, str], lang: str):
    """:func:`user_shown` with ``names`` and ``lang`` given: a template's ``who(id[, role])``."""
    return lambda user_id, role=None: user_shown(user_id, names, lang, role)
