"""Alembic migrations of the workflow store (see :mod:`mno_workflow.store.migrate`)."""
