"""The SOP language: schema, strict loader, CEL expressions and lint rules."""
