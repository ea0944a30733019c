"""Running the web application: uvicorn and the reminder sweeper in one process.

``serve(db_url, host, port, demo, sweeper_interval)`` is what ``mno serve`` calls. The session
secret comes from ``$MNO_SECRET_KEY``, else from the file ``secret-key`` of the data directory
(created on first start, mode 600), so restarts keep sessions and export pseudonyms. Deployment
settings: ``secure_cookies`` (default on unless bound to a loopback address; adds HSTS),
``proxy_headers`` and ``forwarded_allow_ips`` (the real client IP from ``X-Forwarded-For`` of the
listed proxies only, for login throttling).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from ..engine.engine import WorkflowEngine
from ..i18n import N_
from ..store.base import make_engine
from ..store.models import Case


def upgrade_aside(db_url: str | None) -> None:
    """Bring the schema to the newest Alembic revision without loading Alembic (and Mako) into
    this process: in a forked child when this process has a single thread (``mno serve`` at start;
    about 8 MiB of resident memory saved for the server's life), else here. A failed child is
    retried here, so that the error raised is the real one."""
    import threading

    if hasattr(os, "fork") and threading.active_count() == 1:
        pid = os.fork()
        if pid == 0:  # the child: upgrade, then leave without running the parent's exit handlers
            code = 1
            try:
                from ..store.migrate import upgrade

                upgrade(db_url)
                code = 0
            finally:
                os._exit(code)
        _pid, status = os.waitpid(pid, 0)
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
            return
    from ..store.migrate import upgrade

    upgrade(db_url)


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
        # Created with mode 600 from the start (no moment where another user could read it).
        fd = os.open(p, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(key)
        p.chmod(0o600)
        return key
    except OSError:  # read-only directory: a key for this run only
        return secrets.token_urlsafe(32)


LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def is_loopback(host: str) -> bool:
    return host in LOOPBACK or host.startswith("127.")


def build(
    db_url: str | None,
    *,
    demo: bool = False,
    demo_password: str | None = None,
    sweeper_interval: int | None = 60,
    secret_key: str | None = None,
    secure_cookies: bool = False,
    echo=print,
):
    """The app on ``db_url`` (tables created). With ``demo``: demo data loaded into an empty
    database; raises :class:`~.demo_safety.DemoRefused` on a database holding non-demo data; the
    demo accounts' passwords (``demo_password`` or random ones) are in ``app.state.demo_logins``."""
    from sqlalchemy import func, select

    from .app import create_app

    upgrade_aside(db_url)  # Alembic: the schema is always at the newest revision
    db = make_engine(db_url)
    from ..directory import organisation_known
    wf = WorkflowEngine(db, recipient_known=organisation_known)
    logins: dict[str, str] = {}
    if demo:
        from .demo_safety import check_demo_only, set_demo_passwords

        with wf.sessions() as s:
            check_demo_only(s)
            empty = (s.scalar(select(func.count()).select_from(Case)) or 0) == 0
        if empty:
            from ..i18n import gettext, ngettext
            from .demo_data import load_demo

            echo(gettext("Chargement des données de démonstration (fictives)…"))
            from ..logs import routine

            with routine("demo"):  # its hundreds of transitions at DEBUG: the count below says it
                summary = load_demo(wf)
            echo(ngettext("{n} dossier fictif créé.", "{n} dossiers fictifs créés.", len(summary["cases"])))
        else:
            from .demo_data import create_users, demo_users

            with wf.sessions.begin() as s:
                create_users(s, demo_users())
            from ..i18n import gettext

            echo(gettext("Base de démonstration existante : données non rechargées (comptes ajoutés si "
                         "absents)."))
        with wf.sessions.begin() as s:
            logins = set_demo_passwords(s, demo_password)
    key = secret_key or os.environ.get("MNO_SECRET_KEY") or _stored_secret()
    app = create_app(wf, secret_key=key, sweeper_interval=sweeper_interval or None,
                     https_only=secure_cookies)
    app.state.demo_logins = logins
    return app


def uvicorn_config(app, host: str, port: int, *, proxy_headers: bool = False,
                   forwarded_allow_ips: str | None = None, log_level: str = "info",
                   log_config: dict | None = None):
    """The uvicorn configuration. Without ``proxy_headers`` the client IP is the TCP peer; with
    it, ``X-Forwarded-For``/``-Proto`` are trusted from ``forwarded_allow_ips`` only (comma-separated
    addresses or networks; default 127.0.0.1). ``log_config``: uvicorn's logging (``logs.config_dict``),
    else uvicorn's default."""
    import uvicorn

    extra = {"log_config": log_config} if log_config is not None else {}
    return uvicorn.Config(app, host=host, port=port, log_level=log_level, server_header=False, **extra,
                          proxy_headers=proxy_headers,
                          forwarded_allow_ips=(forwarded_allow_ips or "127.0.0.1") if proxy_headers else None)


def serve(
    db_url: str | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    demo: bool = False,
    sweeper_interval: int = 60,
    *,
    demo_password: str | None = None,
    secure_cookies: bool | None = None,
    proxy_headers: bool = False,
    forwarded_allow_ips: str | None = None,
    workers: int = 1,
) -> None:
    """Run the web UI, the REST API and the reminder sweeper (every ``sweeper_interval`` s; 0 for
    none) until interrupted. With ``demo``, load invented data into an empty database and print
    the demo logins. ``secure_cookies`` None: on unless ``host`` is a loopback address.
    ``workers`` > 1: that many uvicorn worker processes (PostgreSQL only, else
    :class:`WorkersRefused`), each with the sweeper, which one process at a time runs
    (:mod:`..reminders.leader`)."""
    import uvicorn

    from ..store.base import database_url

    url = database_url(db_url)
    if workers > 1 and not url.startswith("postgresql"):
        raise WorkersRefused(WORKERS_ON_SQLITE)
    if secure_cookies is None:
        secure_cookies = not is_loopback(host)
    app = build(db_url, demo=demo, demo_password=demo_password, sweeper_interval=sweeper_interval,
                secure_cookies=secure_cookies)
    from ..i18n import gettext, ngettext

    print(gettext("MNO Workflow : {url}", url=f"http://{host}:{port}/"))
    from ..reminders.links import relative_links_warning
    if (warning := relative_links_warning()) is not None:  # e-mails' links: said, never skipped
        print(warning)
    if secure_cookies:
        print(gettext("Cookies « Secure » et HSTS : servez l'application derrière HTTPS (proxy inverse)."))
    if demo:  # logins with names: the person, the role, the organisation (never ids)
        from .demo_accounts import demo_account_lines

        for line in demo_account_lines(app.state.web.wf, app.state.demo_logins, demo_password):
            print(line)
    from ..logs import config_dict

    log_config = config_dict(os.environ.get("MNO_LOG_FORMAT") or "text",
                             (os.environ.get("MNO_LOG_LEVEL") or "INFO").upper())
    if workers > 1:
        # The workers rebuild the app from the environment (same database, same session secret).
        os.environ.update({"MNO_DATABASE_URL": url, "MNO_SERVE_SWEEPER_INTERVAL": str(sweeper_interval),
                           "MNO_SERVE_SECURE_COOKIES": "1" if secure_cookies else "0",
                           "MNO_SECRET_KEY": os.environ.get("MNO_SECRET_KEY") or _stored_secret()})
        app.state.web.wf.db.dispose()  # the workers open their own connections
        print(ngettext("{n} processus (workers) ; un seul à la fois balaie les délais (verrou PostgreSQL).",
                       "{n} processus (workers) ; un seul à la fois balaie les délais (verrou PostgreSQL).",
                       workers))
        uvicorn.run("mno_workflow.web.server:worker_app", factory=True, workers=workers, host=host,
                    port=port, server_header=False, log_config=log_config, proxy_headers=proxy_headers,
                    forwarded_allow_ips=(forwarded_allow_ips or "127.0.0.1") if proxy_headers else None)
        return
    uvicorn.Server(uvicorn_config(app, host, port, proxy_headers=proxy_headers,
                                  forwarded_allow_ips=forwarded_allow_ips, log_config=log_config)).run()


class WorkersRefused(Exception):
    """``--workers`` > 1 asked on a database that cannot take several processes (SQLite)."""


#: French message id (English in the catalogue), shown in the ``--lang`` language by ``mno serve``.
WORKERS_ON_SQLITE = N_(
    "--workers > 1 demande PostgreSQL : SQLite n'accepte qu'un écrivain à la fois, plusieurs "
    "processus s'y attendraient les uns les autres sans servir plus vite. Lancez un seul processus, "
    "ou passez à PostgreSQL (voir docs/deployment.md).")


def worker_app():
    """The app of one uvicorn worker of ``serve(workers=N)``, from the environment it set."""
    return build(os.environ["MNO_DATABASE_URL"],
                 sweeper_interval=int(os.environ.get("MNO_SERVE_SWEEPER_INTERVAL", "60")) or None,
                 secure_cookies=os.environ.get("MNO_SERVE_SECURE_COOKIES") == "1")
