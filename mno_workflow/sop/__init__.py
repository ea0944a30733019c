"""The SOP language: schema, strict loader, CEL expressions and lint rules."""

from . import schema as _schema  # noqa: F401  (loads schema before schema_protection, which it imports)
