"""``mno schema``: print the JSON Schema of the SOP language (for editors: YAML language servers)."""

from __future__ import annotations

import typer


def schema() -> None:
    """Afficher le schéma JSON du langage des POS (pour les éditeurs). / Print the SOP JSON Schema."""
    from ..sop.jsonschema import schema_text
    typer.echo(schema_text(), nl=False)
