"""``mno backup FILE``: a consistent copy of the SQLite database while the application runs (SQLite's
online backup API, the same as the ``sqlite3`` shell's ``.backup``). PostgreSQL: use ``pg_dump``
(see docs/deployment.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import _, fail, fail_write, ngettext, safe_url, selected_url


def backup(target: Annotated[Path, typer.Argument(help="Fichier de sauvegarde à créer (mode 600).")]) -> None:
    """Sauvegarder la base SQLite pendant que le service tourne (copie cohérente). / Back up SQLite."""
    import os
    import sqlite3

    from sqlalchemy.engine import make_url
    url = selected_url()
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        fail(_("{url} : mno backup copie une base SQLite ; pour PostgreSQL utilisez "
               "pg_dump -Fc (voir docs/deployment.md)", url=safe_url(url)))
    source = Path(parsed.database)
    if not source.is_file():
        fail(_("Base introuvable : {path}", path=source))
    if target.exists():
        fail(_("{path} existe déjà : choisissez un autre nom", path=target))
    try:
        fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as e:
        fail_write(target, e)
    os.close(fd)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst, pages=1024)  # copies in steps; writers are not blocked for long
        ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.Error as e:
        dst.close()
        target.unlink(missing_ok=True)
        fail(_("Sauvegarde impossible : {error}", error=sqlite_words(e)))
    finally:
        src.close()
    dst.close()
    if ok != "ok":
        fail(_("Sauvegarde incohérente (le contrôle d'intégrité de SQLite échoue) : {path}", path=target))
    typer.echo(ngettext("Sauvegarde écrite : {path} ({n} octet, intégrité vérifiée)",
                        "Sauvegarde écrite : {path} ({n} octets, intégrité vérifiée)", target.stat().st_size,
                        path=target))


def sqlite_words(e: Exception) -> str:
    """What a ``sqlite3.Error`` means, in words of the ``--lang`` language (its result code: the
    base is busy, cannot be opened, is damaged, the disk is full), never SQLite's English text."""
    name = getattr(e, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return _("la base est occupée par une autre écriture ; réessayez")
    if name.startswith("SQLITE_CANTOPEN"):
        return _("la base ne peut pas être ouverte")
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return _("la base est endommagée ou n'est pas une base SQLite")
    if name.startswith("SQLITE_FULL"):
        return _("le disque est plein")
    if name.startswith(("SQLITE_READONLY", "SQLITE_PERM", "SQLITE_AUTH")):
        return _("accès refusé")
    return _("erreur SQLite {code}", code=name or type(e).__name__)
