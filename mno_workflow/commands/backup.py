"""``mno backup FILE``: a consistent copy of the SQLite database while the application runs (SQLite's
online backup API, the same as the ``sqlite3`` shell's ``.backup``). PostgreSQL: use ``pg_dump``
(see docs/deployment.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import fail, safe_url, selected_url


def backup(target: Annotated[Path, typer.Argument(help="Fichier de sauvegarde à créer (mode 600).")]) -> None:
    """Sauvegarder la base SQLite pendant que le service tourne (copie cohérente). / Back up SQLite."""
    import os
    import sqlite3

    from sqlalchemy.engine import make_url
    url = selected_url()
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        fail(f"{safe_url(url)} : mno backup copie une base SQLite ; pour PostgreSQL utilisez "
             "pg_dump -Fc (voir docs/deployment.md)")
    source = Path(parsed.database)
    if not source.is_file():
        fail(f"Base introuvable : {source}")
    if target.exists():
        fail(f"{target} existe déjà : choisissez un autre nom")
    fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
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
        fail(f"Sauvegarde impossible : {e}")
    finally:
        src.close()
    dst.close()
    if ok != "ok":
        fail(f"Sauvegarde incohérente ({ok}) : {target}")
    typer.echo(f"Sauvegarde écrite : {target} ({target.stat().st_size} octets, intégrité vérifiée)")
