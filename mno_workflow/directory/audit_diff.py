"""The differences the directory's own audit (``dir_audit``) keeps for an import or an edit:
``{field: [old, new]}`` with dates as ISO text, ``old`` None for a created object."""

from __future__ import annotations

from typing import Any

from mno_workflow.directory.package_export import _jsonable


def created(values: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [None, value]}`` for every field ``values`` sets (not None)."""
    return {k: [None, _jsonable(v)] for k, v in values.items() if v is not None}


def changed(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old value, new value]}`` for every field of ``new`` whose value differs from ``old``."""
    return {k: [_jsonable(old[k]), _jsonable(v)] for k, v in new.items() if old[k] != v}
