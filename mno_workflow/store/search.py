"""Name and reference search of cases at scale: SQLite FTS5, PostgreSQL trigram indexes.

What a user types is folded like the stored name (:func:`fold`: lower case, no accents, ``œ`` →
``oe``, ``ɛ`` → ``e``, apostrophes dropped, hyphens as spaces) and split on spaces; every chunk
must match the case's folded name or its reference. ``%`` and ``_`` are literals, never wildcards.

- SQLite: an FTS5 table ``cases_fts`` (``tokenize = "unicode61 remove_diacritics 2"``) with the
  case id as rowid and ``name_folded || ' ' || reference`` as text, kept in sync by triggers on
  ``cases`` (insert, update of the name or reference — also the retention erase, which sets the
  name to NULL — and delete). A chunk matches a token prefix (``diaye`` finds ``Diaye Ali``, not
  ``Ndiaye``); a chunk with other characters than letters and digits (``saw%``) must also be a
  literal substring of the name or reference of the rows found.
- PostgreSQL: ``pg_trgm`` GIN indexes on ``name_folded`` and ``reference`` (the extension is
  trusted since PostgreSQL 13: a database owner may create it); a chunk matches a substring
  (``LIKE '%chunk%'`` with ``%`` and ``_`` escaped), which the trigram index answers.

Neither the FTS table nor the trigram indexes are SQLAlchemy models: they are created by
:func:`install` (called after ``create_all`` and by the Alembic revision 0011);
:func:`include_object` hides them from the models-versus-migrations comparison.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import Integer, Table, and_, column, event, false, or_, text
from sqlalchemy.engine import Connection

FTS_TABLE = "cases_fts"
TRGM_INDEXES = ("ix_cases_name_folded_trgm", "ix_cases_reference_trgm")

# Letters NFKD does not decompose, as their plain Latin letters (West African alphabets, ligatures).
_LETTERS = str.maketrans({
    "œ": "oe", "æ": "ae", "ɛ": "e", "ɔ": "o", "ŋ": "n", "ɲ": "n", "ƴ": "y", "ɗ": "d", "ɓ": "b",
    "ƙ": "k", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "ı": "i", "ʃ": "s", "ʒ": "z", "ß": "ss",
    "þ": "th", "ǝ": "e", "ə": "e", "ɩ": "i", "ʋ": "v", "ɣ": "g",
})
_APOSTROPHES = re.compile(r"['’‘ʼʻ`´′]")
_HYPHENS = re.compile(r"[-‐‑‒–—―]")
_WORD = re.compile(r"[^\W_]")  # a letter or digit


def fold(value: str) -> str:
    """Lower-case, accent-free form of ``value`` for search (``Zoé`` → ``zoe``, ``N’Diaye-Lefèvre``
    → ``ndiaye lefevre``, ``Œuvray`` → ``oeuvray``, ``Yɛlbɛogo`` → ``yelbeogo``): NFKD without
    combining marks, case-folded, the letters of ``_LETTERS`` mapped, apostrophes removed, hyphens
    and runs of spaces as one space."""
    decomposed = unicodedata.normalize("NFKD", value)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().translate(_LETTERS)
    plain = _HYPHENS.sub(" ", _APOSTROPHES.sub("", plain))
    return " ".join(plain.split())


def chunks(search: str) -> list[str]:
    """The folded chunks of what a user typed (at most 8), without those that have no letter or
    digit (a lone ``%`` searches nothing)."""
    return [c for c in fold(search).split() if _WORD.search(c)][:8]


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def clause(dialect: str, search: str) -> Any:
    """SQL condition on ``Case`` for ``search`` (see the module doc); ``false()`` when ``search``
    has no letter or digit. ``dialect``: ``sqlite`` or ``postgresql``."""
    from .models import Case

    parts = chunks(search)
    if not parts:
        return false()
    conds = []
    if dialect == "sqlite":
        # each chunk a phrase (its own tokens adjacent), the last token a prefix; quotes doubled
        query = " ".join('"' + p.replace('"', '""') + '" *' for p in parts)
        conds.append(Case.id.in_(text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts_query")
                                 .bindparams(fts_query=query).columns(column("rowid", Integer))))
        # the tokenizer drops what is not a letter or digit: such characters are checked as
        # literals on the rows the index found
        parts = [p for p in parts if not p.isalnum()]
    for p in parts:
        needle = f"%{_like_escape(p)}%"
        conds.append(or_(Case.name_folded.like(needle, escape="\\"),
                         Case.reference.ilike(needle, escape="\\")))
    return and_(*conds)


# -- the index itself ---------------------------------------------------------------------------------
SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(body, "
    "tokenize = 'unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER IF NOT EXISTS cases_fts_insert AFTER INSERT ON cases BEGIN "
    f"DELETE FROM {FTS_TABLE} WHERE rowid = new.id; INSERT INTO {FTS_TABLE}(rowid, body) VALUES "
    "(new.id, coalesce(new.name_folded, '') || ' ' || coalesce(new.reference, '')); END",
    f"CREATE TRIGGER IF NOT EXISTS cases_fts_update AFTER UPDATE OF name_folded, reference ON cases "
    f"BEGIN DELETE FROM {FTS_TABLE} WHERE rowid = old.id; INSERT INTO {FTS_TABLE}(rowid, body) VALUES "
    "(new.id, coalesce(new.name_folded, '') || ' ' || coalesce(new.reference, '')); END",
    f"CREATE TRIGGER IF NOT EXISTS cases_fts_delete AFTER DELETE ON cases BEGIN "
    f"DELETE FROM {FTS_TABLE} WHERE rowid = old.id; END",
)
SQLITE_FILL = (f"INSERT INTO {FTS_TABLE}(rowid, body) SELECT id, coalesce(name_folded, '') || ' ' || "
               f"coalesce(reference, '') FROM cases WHERE id NOT IN (SELECT rowid FROM {FTS_TABLE})")
SQLITE_DROP = ("DROP TRIGGER IF EXISTS cases_fts_insert", "DROP TRIGGER IF EXISTS cases_fts_update",
               "DROP TRIGGER IF EXISTS cases_fts_delete", f"DROP TABLE IF EXISTS {FTS_TABLE}")


def _pg_trgm_schema(conn: Connection) -> str:
    """The schema holding ``pg_trgm`` (created in ``public`` when missing), for its operator class."""
    found = conn.exec_driver_sql(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'").scalar()
    if found:
        return found
    conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
    return "public"


def install(conn: Connection, *, fresh: bool = False) -> None:
    """Create the search index of the connection's database (idempotent) and fill it with the
    cases it lacks; ``fresh`` (the ``cases`` table was just created): empty it first (a table
    dropped and created again left its old rows). Raises the database's error when PostgreSQL has
    no ``pg_trgm``."""
    if conn.dialect.name == "sqlite":
        for ddl in SQLITE_DDL:
            conn.exec_driver_sql(ddl)
        if fresh:
            conn.exec_driver_sql(f"DELETE FROM {FTS_TABLE}")
        conn.exec_driver_sql(SQLITE_FILL)
    elif conn.dialect.name == "postgresql":
        schema = _pg_trgm_schema(conn)
        conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {TRGM_INDEXES[0]} ON cases "
                             f"USING gin (name_folded {schema}.gin_trgm_ops)")
        conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {TRGM_INDEXES[1]} ON cases "
                             f"USING gin (reference {schema}.gin_trgm_ops)")


def uninstall(conn: Connection) -> None:
    """Drop the search index (the downgrade of revision 0011); the extension stays."""
    if conn.dialect.name == "sqlite":
        for ddl in SQLITE_DROP:
            conn.exec_driver_sql(ddl)
    elif conn.dialect.name == "postgresql":
        for name in TRGM_INDEXES:
            conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic filter: the search index is not a model (see the module doc)."""
    if type_ == "table" and name and (name == FTS_TABLE or name.startswith(FTS_TABLE + "_")):
        return False
    return not (type_ == "index" and name in TRGM_INDEXES)


def register(cases: Table) -> None:
    """Create the search index whenever ``create_all`` creates ``cases``, and drop it when
    ``drop_all`` drops ``cases`` (a stale SQLite FTS table would refuse the new rows' ids)."""
    event.listen(cases, "after_create", lambda target, connection, **kw: install(connection, fresh=True))
    event.listen(cases, "before_drop", lambda target, connection, **kw: uninstall(connection))
