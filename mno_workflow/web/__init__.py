"""Thin web UI and REST API (FastAPI + Jinja2 + vendored htmx): see :mod:`.app` and :mod:`.server`."""
