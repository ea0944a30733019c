"""``mno sandbox``: the trainers' practice database — a separate SQLite file with the Burkina Faso
SOP, the illustrative directory, the demo accounts and invented cases, reset in one command.

It never touches a database with real data: an existing file is reset only when it holds demo
accounts and demo cases only (:func:`mno_workflow.web.demo_safety.check_demo_only`); the attachment
files of its cases are then deleted from ``<data dir>/attachments`` with it, and the new file's
``web_sandbox_resets`` log records the reset (user ``cli:<system account>``) and its size, which
the web reset keeps (``--cases N``: exactly N cases, tryout 5, H15). Serve it beside the
real instance with ``mno --db sqlite:///formation.db serve --port 8001``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..i18n import ngettext
from .common import _, lang


def sandbox(path: Annotated[Path, typer.Argument(help="Fichier SQLite du bac à sable (ex. formation.db).")],
            cases: Annotated[int, typer.Option(help=(
                "Nombre de dossiers fictifs en tout (8 à 200) : les 5 parcours de terrain et les 3 "
                "signalements de premiers intervenants, et des dossiers tirés au hasard pour le reste. "
                "Une réinitialisation depuis le web en recrée autant."))] = 12,
            password: Annotated[str | None, typer.Option(
                help="Mot de passe commun des comptes fictifs (sinon un mot de passe aléatoire par compte).")]
            = None) -> None:
    """(Ré)initialiser le bac à sable des formateurs : base séparée, données fictives.

    Reset the trainers' practice database (invented data only)."""
    from ..attachments import erase_files
    from ..cli_identity import os_user
    from ..engine.clock import SystemClock
    from ..engine.engine import WorkflowEngine
    from ..store.base import make_engine
    from ..store.migrate import upgrade
    from ..web.demo_safety import DemoRefused, check_demo_only, set_demo_passwords
    from ..web.models import SandboxReset
    from ..web.sandbox_reset import FIELD_CASES, MAX_CASES, load_sandbox_cases

    if not FIELD_CASES <= cases <= MAX_CASES:
        typer.echo(_("--cases : entre {low} et {high} (les {low} dossiers des parcours de terrain et des "
                     "signalements en font toujours partie)", low=FIELD_CASES, high=MAX_CASES), err=True)
        raise typer.Exit(2)
    url = f"sqlite:///{path}"
    stored: list[str] = []  # attachment files of the old sandbox's cases
    removed = 0
    if path.exists():
        db = make_engine(url)
        try:
            from sqlalchemy import func, inspect, select
            from sqlalchemy.orm import Session

            from ..store.models import Attachment, Case

            has_files = inspect(db).has_table("attachments")  # an older sandbox file may not
            with Session(db) as s:
                check_demo_only(s)
                if has_files:
                    stored = list(s.scalars(select(Attachment.stored_name)))
                    removed = s.scalar(select(func.count()).select_from(Case)) or 0
        except DemoRefused as e:
            from .common import error_text
            typer.echo(error_text(e), err=True)
            raise typer.Exit(1) from None
        finally:
            db.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    files_removed = erase_files(stored)
    upgrade(url)
    db = make_engine(url)
    try:
        wf = WorkflowEngine(db, SystemClock())
        summary = load_sandbox_cases(wf, cases, setup=True)
        with wf.sessions.begin() as s:
            passwords = set_demo_passwords(s, password)
            s.add(SandboxReset(at=wf.clock.now(), user_id=f"cli:{os_user()}", role="cli", removed=removed,
                               created=len(summary["cases"]), files_removed=files_removed))
    finally:
        db.dispose()
    ready = ngettext("Bac à sable prêt : {path} — {n} dossier fictif",
                     "Bac à sable prêt : {path} — {n} dossiers fictifs", len(summary["cases"]), lang(),
                     path=path)
    erased = ngettext(", {n} pièce jointe effacée.", ", {n} pièces jointes effacées.", files_removed,
                      lang()) if files_removed else "."
    typer.echo(ready + erased)
    for user, pw in sorted(passwords.items()):
        typer.echo(f"  {user} : {pw}")
    typer.echo(_("Lancer : {command}", command=f"mno --db {url} serve --port 8001"))

