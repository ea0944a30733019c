"""``mno demo``: the scripted demo (one invented returnee driven to closure)."""

from __future__ import annotations

import typer

from .common import errors, open_engine, state


def demo() -> None:
    """Démonstration scriptée : un migrant de retour fictif conduit jusqu'à la clôture."""
    from ..demo import run_demo
    engine = open_engine(clock=None)
    with errors():
        for line in run_demo(engine, state["lang"]):
            typer.echo(line)
