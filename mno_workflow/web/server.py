"""Running the web application: uvicorn and the reminder sweeper in one process.

``serve(db_url, host, port, demo, sweeper_interval)`` is what ``mno serve`` calls. The session
secret comes from ``$MNO_SECRET_KEY``, else from the file ``secret-key`` of the data directory
(created on first start, mode 600), so restarts keep sessions and export pseudonyms.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from ..engine.engine import WorkflowEngine
from ..store.base import make_engine
from ..store.migrate import upgrade
from ..store.models import Case


def _stored_secret(path: str | None = None) -> str:
    """A session secret kept in a file (mode 600) in the data directory, so a restart does not
    end sessions nor lose what a user was typing; created on first start."""
    from ..config import secret_key_file
    p = Path(path) if path else secret_key_file()
    try:
        if p.exists():
            text = p.read_text(encoding="utf-8").strip()
            if len(text) >= 32:
                return text
        key = secrets.token_urlsafe(32)
        fd = os.open(p, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(key)
        p.chmod(0o600)
        return key
    except OSError:  # read-only directory: a key for this run only
        return secrets.token_urlsafe(32)


def build(
    db_url: str | None,
    *,
    demo: bool = False,
    sweeper_interval: int | None = 60,
    secret_key: str | None = None,
    echo=print,
):
    """The app on ``db_url`` (tables created), demo data loaded when asked on an empty database."""
    from sqlalchemy import func, select

    from .app import create_app

    upgrade(db_url)  # Alembic: the schema is always at the newest revision
    db = make_engine(db_url)
    from ..directory import organisation_known
    wf = WorkflowEngine(db, recipient_known=organisation_known)
    if demo:
        with wf.sessions() as s:
            empty = (s.scalar(select(func.count()).select_from(Case)) or 0) == 0
        if empty:
            from .demo_data import load_demo

            echo("Chargement des données de démonstration (fictives)…")
            summary = load_demo(wf)
            echo(f"{len(summary['cases'])} dossiers fictifs créés.")
        else:
            from .demo_data import create_users

            with wf.sessions.begin() as s:
                create_users(s)
            echo("Base non vide : données de démonstration non rechargées (utilisateurs ajoutés si absents).")
    key = secret_key or os.environ.get("MNO_SECRET_KEY") or _stored_secret()
    return create_app(wf, secret_key=key, sweeper_interval=sweeper_interval or None)


def serve(
    db_url: str | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    demo: bool = False,
    sweeper_interval: int = 60,
) -> None:
    """Run the web UI, the REST API and the reminder sweeper (every ``sweeper_interval`` s; 0 for
    none) until interrupted. With ``demo``, load invented data into an empty database and print
    the demo logins."""
    import uvicorn

    app = build(db_url, demo=demo, sweeper_interval=sweeper_interval)
    print(f"MNO Workflow : http://{host}:{port}/")
    if demo:
        from .demo_data import DEMO_PASSWORD, DEMO_USERS
        from .i18n import role_label

        print(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
        for u in DEMO_USERS:
            extra = f" @ {u.organisation}" if u.organisation else (f" ({u.region})" if u.region else "")
            print(f"  {u.id:<20} {role_label(u.role)}{extra}")
    from ..logs import config_dict

    uvicorn.run(app, host=host, port=port, proxy_headers=False, server_header=False,
                log_config=config_dict(os.environ.get("MNO_LOG_FORMAT") or "text",
                                       (os.environ.get("MNO_LOG_LEVEL") or "INFO").upper()))
