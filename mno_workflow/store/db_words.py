"""A database that cannot be opened or written, said in words of the catalogues: the SQLite and
PostgreSQL drivers' English (« database is locked », « connection refused », « password
authentication failed ») becomes a sentence naming the file or the server (host:port), in the
reader's language; the driver's own text goes to the log only.

:func:`db_error` returns a ``said_fr`` message (as a ``str`` its French text, ``.text(lang)`` in
another language), used by every command that opens the database (``open_engine``, ``mno db``,
``mno directory``) and by the ``errors()`` context of the commands.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


def raw_text(exc: BaseException) -> str:
    """The driver's own first line for ``exc`` (without SQLAlchemy's « (sqlite3.OperationalError) »
    prefix and its background link), for the log."""
    orig = getattr(exc, "orig", None)
    text = str(orig) if orig is not None else str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def _place(url: str | None) -> dict[str, str]:
    """The file (SQLite) or ``host:port`` (a server), the user and the database name of ``url``."""
    if not url:
        return {"path": "", "host": "", "user": "", "name": ""}
    try:
        from sqlalchemy.engine import make_url
        u = make_url(url)
    except Exception:  # noqa: BLE001 - an unparsable URL: nothing to name
        return {"path": "", "host": "", "user": "", "name": ""}
    if u.get_backend_name() == "sqlite":
        return {"path": u.database or "", "host": "", "user": "", "name": u.database or ""}
    host = f"{u.host or 'localhost'}:{u.port or 5432}"
    return {"path": host, "host": host, "user": u.username or "", "name": u.database or ""}


def _kind(exc: BaseException) -> str:
    """A stable name for a driver error with no words of its own: SQLite's error name
    (``SQLITE_IOERR``), PostgreSQL's SQLSTATE, else the driver's exception class."""
    orig = getattr(exc, "orig", None) or exc
    return (getattr(orig, "sqlite_errorname", None) or getattr(orig, "sqlstate", None)
            or type(orig).__name__)


def db_error(exc: BaseException, url: str | None = None) -> Any:
    """What went wrong with the database at ``url`` (``exc``: the SQLAlchemy, driver, ``OSError``
    or ``ImportError`` raised) as a catalogue message naming the file or the server; the driver's
    text is logged (INFO, shown with ``MNO_LOG_LEVEL=INFO``), the URL's password hidden."""
    from ..sop.diagnostics import said_fr
    raw = raw_text(exc)
    if url:
        from ..commands.common import safe_url
        raw = raw.replace(url, safe_url(url))
    log.info("database error: %s", raw)  # shown with MNO_LOG_LEVEL=INFO (services log it)
    low = raw.lower()
    at = _place(url)
    where = at["path"]
    if isinstance(exc, ImportError):
        return said_fr("le pilote de cette base de données n'est pas installé ({module})",
                       module=getattr(exc, "name", None) or "?")
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError
    if isinstance(exc, NoSuchModuleError):
        return said_fr("type de base de données inconnu : utilisez sqlite:/// ou postgresql://")
    if isinstance(exc, ArgumentError) or "could not parse sqlalchemy url" in low:
        return said_fr("adresse de base de données illisible : utilisez sqlite:///fichier.db ou "
                       "postgresql://utilisateur@hôte/base")
    if "database is locked" in low or "database table is locked" in low:
        return said_fr("la base {path} est occupée par un autre programme (mno serve, une sauvegarde…) ; "
                       "réessayez dans un instant", path=where)
    if "unable to open database file" in low:
        return said_fr("impossible d'ouvrir le fichier de base {path} : le dossier n'existe pas ou "
                       "l'accès est refusé", path=where)
    if "readonly database" in low:
        return said_fr("la base {path} est en lecture seule (droits du fichier ou de son dossier)",
                       path=where)
    if "file is not a database" in low or "malformed" in low:
        return said_fr("le fichier {path} n'est pas une base SQLite valide ou il est endommagé",
                       path=where)
    if "disk is full" in low or "no space left" in low:
        return said_fr("le disque est plein : la base {path} ne peut plus être écrite", path=where)
    if "disk i/o error" in low:
        return said_fr("erreur de lecture ou d'écriture du disque sur la base {path}", path=where)
    if "no such table" in low or "undefinedtable" in low or "relation" in low and "does not exist" in low:
        return said_fr("la base {path} n'a pas les tables attendues : mettez-la à jour (mno db upgrade)",
                       path=where)
    if "password authentication failed" in low or "authentication failed" in low \
            or "no password supplied" in low or "no pg_hba.conf entry" in low:
        return said_fr("le serveur de base de données {host} refuse l'utilisateur « {user} » "
                       "(mot de passe ou droits d'accès)", host=where, user=at["user"])
    if "database" in low and "does not exist" in low:
        return said_fr("la base « {name} » n'existe pas sur le serveur {host}", name=at["name"],
                       host=where)
    if "role" in low and "does not exist" in low:
        return said_fr("l'utilisateur « {user} » n'existe pas sur le serveur de base de données {host}",
                       user=at["user"], host=where)
    if "connection refused" in low:
        return said_fr("le serveur de base de données {host} refuse la connexion (arrêté, ou autre "
                       "port ?)", host=where)
    if "translate host name" in low or "name or service not known" in low \
            or "nodename nor servname" in low or "name resolution" in low:
        return said_fr("serveur de base de données introuvable : {host}", host=where)
    if "timeout" in low or "timed out" in low:
        return said_fr("le serveur de base de données {host} ne répond pas (délai dépassé)", host=where)
    if isinstance(exc, OSError) and not getattr(exc, "orig", None):
        from ..i18n.files import file_error
        return file_error(where or "?", exc)
    return said_fr("erreur de la base de données {path} ({kind})", path=where, kind=_kind(exc))
