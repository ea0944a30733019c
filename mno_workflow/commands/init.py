"""``mno init DIR``: a working folder to start from: a copy of the Burkina Faso SOP to adapt, a
configuration file ``mno.toml`` and a private data directory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import _, fail

CONFIG = """\
# MNO Workflow — configuration of this working folder (see docs/deployment.md).
# Precedence: command line > environment variables (MNO_*) > this file > defaults.
# Relative paths are relative to this file's folder.

# Data directory: SQLite file, session secret, generated files (created with mode 700).
data_dir = "data"

# Database: default is the SQLite file data/mno.db. PostgreSQL:
# database_url = "postgresql+psycopg://mno@localhost/mno"

lang = "fr"            # language of command-line messages: fr or en
log_format = "text"    # text or json (one JSON object per line)
log_level = "INFO"

# Public address of the server: e-mails link to the place to act with it (without it the links
# are paths only, and `mno serve` says so):
# public_url = "https://mno.example.org"

# E-mail reminders (without SMTP they stay queued; in-app notifications still work):
# [smtp]
# host = "smtp.example.org"
# port = 587
# from = "mno@example.org"
# starttls = true
"""


def init(directory: Annotated[Path, typer.Argument(help="Dossier à créer (ou vide).")],
         force: Annotated[bool, typer.Option("--force", help="Écrire dans un dossier non vide "
                                                              "(sans écraser les fichiers existants).")]
         = False) -> None:
    """Créer un dossier de travail : une copie de la POS du Burkina Faso à adapter (scénarios,
    exemples, répertoire), mno.toml et le dossier de données. / Create a working folder."""
    import shutil

    from ..resources import bf_dir
    if directory.exists() and any(directory.iterdir()) and not force:
        fail(_("{path} n'est pas vide : choisissez un autre dossier ou ajoutez --force", path=directory))
    directory.mkdir(parents=True, exist_ok=True)
    sop_dir = directory / "sops" / "burkina_faso"
    shutil.copytree(bf_dir(), sop_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"),
                    copy_function=lambda src, dst: None if Path(dst).exists() else shutil.copy2(src, dst))
    config = directory / "mno.toml"
    if not config.exists():
        config.write_text(CONFIG, encoding="utf-8")
    data = directory / "data"
    from ..config import private_dir
    private_dir(data)
    typer.echo(_("Dossier de travail créé : {path}", path=directory))
    typer.echo("  " + _("POS à adapter : {path} (scénarios, exemples, répertoire)",
                        path=sop_dir / "mnr.yaml"))
    typer.echo("  " + _("configuration : {path}", path=config))
    typer.echo("  " + _("données       : {path} (mode 700)", path=data))
    typer.echo(_("Ensuite : {commands}", commands=f"cd {directory} && mno validate sops && "
                                                     "mno test sops/burkina_faso && mno serve"))
