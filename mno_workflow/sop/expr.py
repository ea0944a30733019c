"""CEL (Common Expression Language) guards and conditions: compiled once, evaluated safely.

No ``eval``: expressions from SOP files are compiled by the ``common-expression-language``
package and run against plain data. Dates and datetimes reach CEL as real timestamps (a date is
its midnight UTC) and the helpers ``days_between`` / ``working_days_between`` are available: see
:mod:`mno_workflow.sop.celtypes`. A run-time error (a missing value, a type mismatch, a helper
refusing its arguments) is an :class:`ExprError`, which the engine reports as ``guard_error``.
"""

from __future__ import annotations

import re
import sys
import types
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any

from .celtypes import ENV_KEY, FUNCTION_NAMES, functions, typed


@lru_cache(maxsize=1)
def _cel() -> types.ModuleType:
    """The ``cel`` package, imported on the first expression compiled (about 4 MiB of resident
    memory: the web server starts without it, issue 15). Its ``__init__`` imports its own command
    line (prompt_toolkit, rich: ~0.1 s) that MNO never uses; an empty stand-in keeps it out.
    Harmless if ``cel.cli`` was imported already."""
    sys.modules.setdefault("cel.cli", types.ModuleType("cel.cli"))
    import cel

    return cel

# Names every expression may use besides form ids.
# ``open_instances``: number of open (not final) instances of each step (issue 13).
# ``instance_keys``: the keys of the instances (open or final) of each for_each step (issue 18).
BUILTIN_NAMES = frozenset({"item", "now", "today", "case", "steps", "open_instances", "instance_keys"})
__all__ = ["BUILTIN_NAMES", "ENV_KEY", "FUNCTION_NAMES", "Expr", "ExprError", "compile_expr", "to_cel"]
_MACRO_VAR_RE = re.compile(r"\.\s*(?:exists_one|exists|all|map|filter)\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)")


class ExprError(Exception):
    """A CEL expression that does not compile (``compile``) or fails at run time (``evaluate``).
    ``missing``: the name of the value that was not there (a field the case has not recorded),
    None for other errors (syntax, type mismatch). ``detail``: the parser's whole text of a syntax
    error (every ``ERROR: <input>:line:col: …``; :mod:`.cel_words` says it in words)."""

    def __init__(self, text: str, missing: str | None = None, detail: str = ""):
        super().__init__(text)
        self.missing = missing
        self.detail = detail or text


class Expr:
    """A compiled CEL expression. ``variables`` are the root names it reads (macro vars excluded)."""

    __slots__ = ("source", "_program", "variables")

    def __init__(self, source: str):
        self.source = source
        try:
            self._program = _cel().compile(source)
        except (ValueError, RuntimeError) as e:
            raise ExprError(str(e).splitlines()[0] if str(e) else "syntax error", detail=str(e)) from None
        macro_vars = set(_MACRO_VAR_RE.findall(source))
        self.variables = frozenset(self._program.variables()) - macro_vars

    def evaluate(self, context: dict[str, Any]) -> Any:
        """Evaluate against ``context`` (plain dicts, lists, str, numbers, bool, date, datetime).
        With a :class:`~mno_workflow.sop.celtypes.TypeEnv` under ``context[ENV_KEY]`` (the engine
        puts one there), date and datetime fields are timestamps; ``today``/``now`` always are.

        Raises :class:`ExprError` when a field is missing or types do not match.
        """
        env = context.get(ENV_KEY)
        # Speed (issue 15): convert only the names the expression reads; on any error, evaluate
        # again with the whole context, so results and messages are exactly those of the full one.
        small = {k: context[k] for k in self.variables if k in context}
        if env is not None:
            small[ENV_KEY] = env
        try:
            return self._program.execute(_cel().Context(to_cel(typed(small)), functions(env)))
        except Exception:  # noqa: BLE001, S110 - the full evaluation below says what is wrong
            pass
        try:
            ctx = _cel().Context(to_cel(typed(context)), functions(env))
            return self._program.execute(ctx)
        except KeyError as e:
            raise ExprError(f"missing value {e.args[0]!r}", missing=str(e.args[0])) from None
        except (ValueError, TypeError, RuntimeError) as e:
            raise ExprError(str(e)) from None

    def holds(self, context: dict[str, Any]) -> bool:
        """True when the expression evaluates to ``true``; a run-time error counts as false."""
        try:
            return self.evaluate(context) is True
        except ExprError:
            return False


@lru_cache(maxsize=4096)
def compile_expr(source: str) -> Expr:
    """Compile (and cache) ``source``. Raises :class:`ExprError` on a syntax error."""
    return Expr(source)


def to_cel(value: Any) -> Any:
    """Convert Python data to CEL-compatible values (dates become UTC timestamps)."""
    if isinstance(value, dict):
        return {k: to_cel(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_cel(v) for v in value]
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=UTC)
    return value
