"""``mno serve``: the web UI, the REST API and the reminder sweeper in one process."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import fail, selected_url


def serve(host: Annotated[str, typer.Option(help="Adresse d'écoute")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Port", min=1, max=65535)] = 8000,
          demo: Annotated[bool, typer.Option(help="Charger des données fictives dans une base vide")] = False,
          sweeper_interval: Annotated[int, typer.Option(help="Secondes entre deux balayages des délais "
                                                              "(0 : aucun)", min=0)] = 60,
          demo_password: Annotated[str | None, typer.Option(
              help="Mot de passe des comptes de démonstration (sinon aléatoires, affichés)")] = None,
          secure_cookies: Annotated[bool | None, typer.Option(
              "--secure-cookies/--no-secure-cookies",
              help="Cookies Secure et HSTS (par défaut : oui sauf sur 127.0.0.1/localhost)")] = None,
          proxy_headers: Annotated[bool, typer.Option(
              help="Derrière un proxy inverse : IP du client lue dans X-Forwarded-For")] = False,
          forwarded_allow_ips: Annotated[str | None, typer.Option(
              help="Adresses des proxys de confiance (virgules), défaut 127.0.0.1")] = None,
          workers: Annotated[int, typer.Option(
              help="Processus serveurs (PostgreSQL seulement ; un seul balaie les délais à la fois)",
              min=1, max=64)] = 1) -> None:
    """Interface web, API REST et rappels dans un seul processus. / Web UI, REST API and reminders."""
    from ..web.demo_safety import DemoRefused
    from ..web.server import WorkersRefused
    from ..web.server import serve as run
    try:
        run(selected_url(), host=host, port=port, demo=demo, sweeper_interval=sweeper_interval,
            demo_password=demo_password, secure_cookies=secure_cookies, proxy_headers=proxy_headers,
            forwarded_allow_ips=forwarded_allow_ips, workers=workers)
    except (DemoRefused, WorkersRefused) as e:
        from .common import _, error_text
        fail(_(str(e)) if isinstance(e, WorkersRefused) else error_text(e))
