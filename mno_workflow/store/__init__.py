"""Persistence: SQLAlchemy models and the repository (SQLite file or PostgreSQL)."""
