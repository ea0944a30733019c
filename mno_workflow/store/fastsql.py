"""The engine's hot statements run straight on the DB-API cursor of a SQLAlchemy connection.

SQLAlchemy Core spends more Python per statement (execution context, parameter construction,
result set-up) than SQLite spends executing a one-row write. :class:`Statement` compiles a Core
statement **once per dialect** (SQL text, parameter order, the columns' bind and result
processors: JSON, UTC instants, booleans) and then runs it on the cursor of the *same* connection,
inside the caller's transaction and savepoints: same SQL, same stored values, same transaction.

What SQLAlchemy would do around a statement is kept where it matters:

- a DB-API error becomes the same :class:`sqlalchemy.exc.DBAPIError` subclass SQLAlchemy raises
  (``IntegrityError``, ``OperationalError``…), so callers catch what they caught before;
- when the engine has ``before_cursor_execute`` / ``after_cursor_execute`` listeners (tests and
  benchmarks that count or capture statements), the statement goes through ``Connection.execute``
  instead, so they see it;
- Python-side column defaults are *not* applied: callers pass every column of an ``INSERT``
  (:meth:`Statement.execute` raises KeyError otherwise).

Shapes: parameters are dicts keyed by bind name (the column key for ``INSERT``/``UPDATE``
values); :meth:`Statement.rows` returns tuples in the statement's column order, after the
result processors.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import exc
from sqlalchemy.engine import Connection, Dialect

Processor = Callable[[Any], Any] | None
_IMMUTABLE = frozenset({datetime, date, time, str, int, float, bool, type(None), Decimal, bytes})
_REQUIRED = object()


class _Prepared:
    """One statement compiled for one dialect."""

    __slots__ = ("sql", "names", "binds", "results", "processed", "named", "returns")

    def __init__(self, stmt: Any, dialect: Dialect, keys: Sequence[str] | None) -> None:
        compiled = stmt.compile(dialect=dialect, column_keys=list(keys) if keys is not None else None)
        self.sql: str = compiled.string
        procs: dict[str, Processor] = dict(compiled._bind_processors)  # noqa: SLF001 - see module doc
        positions = compiled.positiontup
        self.named = positions is None  # pyformat (psycopg) takes a dict; qmark (sqlite) a tuple
        self.names: tuple[str, ...] = tuple(positions) if positions is not None else tuple(compiled.binds)
        # a bind with a value in the statement itself (``status == 'pending'``) is taken from there
        # unless the caller passes that name; every other bind must be passed
        fixed = {n: b.effective_value for n, b in compiled.binds.items() if not b.required}
        self.binds: tuple[tuple[str, Processor, Any], ...] = tuple(
            (n, procs.get(n), fixed.get(n, _REQUIRED)) for n in self.names)
        cols = compiled._result_columns  # noqa: SLF001 - (key, name, objects, type) per column
        self.results: tuple[Processor, ...] = tuple(
            c[3]._cached_result_processor(dialect, None) for c in cols)  # noqa: SLF001
        # only the columns with a processor are touched per row (most are plain ints and texts)
        self.processed: tuple[tuple[int, Processor], ...] = tuple(
            (i, f) for i, f in enumerate(self.results) if f is not None)
        self.returns = bool(cols)

    def params(self, values: dict[str, Any]) -> Any:
        out = []
        for n, p, fixed in self.binds:
            v = values[n] if fixed is _REQUIRED else values.get(n, fixed)
            out.append(p(v) if p is not None else v)
        return dict(zip(self.names, out, strict=True)) if self.named else tuple(out)

    def params_many(self, rows: list[dict[str, Any]]) -> list[Any]:
        """:meth:`params` of each of ``rows``, built column by column: a value object shared by
        several rows (the sweep's ``now``, a status) goes through its bind processor once."""
        columns = []
        for n, p, fixed in self.binds:
            vals = [r[n] for r in rows] if fixed is _REQUIRED else [r.get(n, fixed) for r in rows]
            if p is not None:
                done: dict[int, Any] = {}  # by id(): the objects stay alive in ``vals``
                out = []
                for v in vals:
                    k = id(v)
                    if k not in done:
                        done[k] = p(v)
                    out.append(done[k])
                vals = out
            columns.append(vals)
        tuples = list(zip(*columns, strict=True))
        return [dict(zip(self.names, t, strict=True)) for t in tuples] if self.named else tuples

    def row(self, raw: Sequence[Any], start: int = 0, memo: dict | None = None) -> tuple:
        """``raw`` processed; the first ``start`` columns are left as they came (see ``rows``).
        ``memo``: processed values by (column, raw value), kept for one result set (the same
        instant text parsed once)."""
        out = list(raw)
        for i, f in self.processed:
            if i < start:
                continue
            v = out[i]
            if memo is None:
                out[i] = f(v)
                continue
            k = (i, v)
            try:
                out[i] = memo[k]
            except KeyError:
                r = out[i] = f(v)
                if type(r) in _IMMUTABLE:  # never share a mutable value (a JSON dict) between rows
                    memo[k] = r
            except TypeError:  # an unhashable raw value (never from the DB-API, kept safe)
                out[i] = f(v)
        return tuple(out)


class Statement:
    """A Core statement run on the DB-API cursor (see the module doc). ``keys``: the column keys
    an ``INSERT``/``UPDATE`` without explicit ``values`` sets (as ``compile(column_keys=…)``)."""

    __slots__ = ("stmt", "keys", "_by_dialect")

    def __init__(self, stmt: Any, keys: Sequence[str] | None = None) -> None:
        self.stmt = stmt
        self.keys = tuple(keys) if keys is not None else None
        self._by_dialect: dict[int, _Prepared] = {}

    def _prepared(self, dialect: Dialect) -> _Prepared:
        p = self._by_dialect.get(id(dialect))
        if p is None:
            p = self._by_dialect[id(dialect)] = _Prepared(self.stmt, dialect, self.keys)
        return p

    def _core(self, conn: Connection) -> bool:
        """Whether to go through ``Connection.execute`` (statement listeners are installed)."""
        d = conn.dispatch
        return bool(d.before_cursor_execute or d.after_cursor_execute)

    def execute(self, conn: Connection, values: dict[str, Any]) -> int:
        """Run with one set of ``values``; returns the row count (UPDATE/DELETE)."""
        if self._core(conn):
            return conn.execute(self.stmt, values).rowcount
        p = self._prepared(conn.dialect)
        cur = _run(conn, p, p.params(values), many=False)
        return cur.rowcount

    def executemany(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """Run once per dict of ``rows`` in one DB-API ``executemany`` (no RETURNING)."""
        if not rows:
            return
        if self._core(conn):
            conn.execute(self.stmt, rows)
            return
        p = self._prepared(conn.dialect)
        _run(conn, p, p.params_many(rows), many=True)

    def rows(self, conn: Connection, values: dict[str, Any], *, repeated: int = 0) -> list[tuple]:
        """Run a SELECT (or a statement with RETURNING) and return every row, processed.
        ``repeated``: the first columns that repeat the first row's (the parent of a join):
        processed in the first row only, left unprocessed in the others."""
        if self._core(conn):
            return [tuple(r) for r in conn.execute(self.stmt, values)]
        p = self._prepared(conn.dialect)
        cur = _run(conn, p, p.params(values), many=False)
        raw = cur.fetchall()
        memo: dict = {}
        return [p.row(r, repeated if n else 0, memo) for n, r in enumerate(raw)]

    def returning_many(self, conn: Connection, rows: list[dict[str, Any]]) -> list[tuple]:
        """An ``INSERT … RETURNING`` per dict of ``rows``; the returned rows in the same order."""
        return [self.rows(conn, r)[0] for r in rows]


def _run(conn: Connection, p: _Prepared, params: Any, *, many: bool) -> Any:
    cursor = conn.connection.driver_connection.cursor()  # the transaction's own connection
    try:
        if many:
            cursor.executemany(p.sql, params)
        else:
            cursor.execute(p.sql, params)
    except conn.dialect.loaded_dbapi.Error as e:
        raise exc.DBAPIError.instance(p.sql, params, e, conn.dialect.loaded_dbapi.Error,
                                      dialect=conn.dialect) from e
    return cursor


def execute_text(conn: Connection, sql: str) -> None:
    """Run a statement without parameters (``BEGIN IMMEDIATE``) on the DB-API cursor, or through
    ``exec_driver_sql`` when statement listeners are installed (see the module doc)."""
    d = conn.dispatch
    if d.before_cursor_execute or d.after_cursor_execute:
        conn.exec_driver_sql(sql)
        return
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(sql)
    except conn.dialect.loaded_dbapi.Error as e:
        raise exc.DBAPIError.instance(sql, (), e, conn.dialect.loaded_dbapi.Error,
                                      dialect=conn.dialect) from e
