"""``mno serve``: the web UI, the REST API and the reminder sweeper in one process."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import selected_url


def serve(host: Annotated[str, typer.Option(help="Adresse d'écoute")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Port", min=1, max=65535)] = 8000,
          demo: Annotated[bool, typer.Option(help="Charger des données fictives dans une base vide")] = False,
          sweeper_interval: Annotated[int, typer.Option(help="Secondes entre deux balayages des délais "
                                                              "(0 : aucun)", min=0)] = 60) -> None:
    """Interface web, API REST et rappels dans un seul processus. / Web UI, REST API and reminders."""
    from ..web.server import serve as run
    run(selected_url(), host=host, port=port, demo=demo, sweeper_interval=sweeper_interval)
