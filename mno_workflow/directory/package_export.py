"""Export of the directory in the product's own package: every table as rows (:func:`dump_tables`,
whole or in its public form, :mod:`.public`), written as a CSV folder or one JSON file, with cells a
spreadsheet will not run as formulas (:func:`neutralise` / :func:`restore`)."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mno_workflow.directory.public import public_rows
from mno_workflow.directory.schema import MODELS
from mno_workflow.directory.tables import TABLES
from mno_workflow.directory.versions import EXPORT_KEY, directory_version

PROFILE = "https://openreferral.org/hsds/3.0 + mno-workflow/service_referral"


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value  # datetime is a date too


def dump_tables(session: Session, *, public: bool = False) -> dict[str, list[dict[str, Any]]]:
    """Every directory object as ``{name: [row dict ordered like the model, ...]}``, rows by id.
    ``public``: without the staff's personal contacts (:func:`.public.public_rows`)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name, model in MODELS.items():
        table = TABLES[name]
        rows = session.execute(select(table).order_by(table.c.id)).mappings()
        out[name] = [model.model_validate(dict(r), context={"hsds": True}).model_dump() for r in rows]
    return public_rows(out) if public else out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return neutralise(str(value))


_FORMULA = ("=", "@", "\t", "\r", "+", "-")
_NUMBERISH = re.compile(r"[+-]?[0-9 .()/-]*")


def _risky(text: str) -> bool:
    if text.startswith(("+", "-")):  # "+226 70 12 34 56", "-5": no function can be called
        return not _NUMBERISH.fullmatch(text)
    return text.startswith(_FORMULA)


def neutralise(text: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula: a text starting with ``= @ + -``, tab
    or carriage return (or with ``'`` itself) gets a leading ``'``; :func:`restore` undoes it on
    import, so an export imports back unchanged."""
    return "'" + text if _risky(text) or text.startswith("'") else text


def restore(text: str) -> str:
    """The inverse of :func:`neutralise`."""
    if text.startswith("'") and (_risky(text[1:]) or text[1:].startswith("'")):
        return text[1:]
    return text


def export_package(
    session: Session, dest: Path | str, fmt: str = "csv", *, public: bool = False
) -> list[Path]:
    """Write the directory to ``dest`` (a folder for ``csv``; a folder or ``.json`` file for ``json``);
    ``public``: its public form (no personal contacts, :mod:`.public`).

    Returns the files written. Raises ValueError for an unknown ``fmt``.
    """
    dest = Path(dest)
    data = dump_tables(session, public=public)
    if fmt == "json":
        target = dest if dest.suffix.lower() == ".json" else dest / "directory.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        doc: dict[str, Any] = {"profile": PROFILE, EXPORT_KEY: directory_version(session)}
        doc.update(
            {name: [{k: _jsonable(v) for k, v in r.items()} for r in rows] for name, rows in data.items()}
        )
        target.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return [target]
    if fmt != "csv":
        raise ValueError(f"unknown export format {fmt!r}: csv or json")
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in data.items():
        path = dest / f"{name}.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            columns = list(MODELS[name].model_fields)
            writer.writerow(columns)
            for r in rows:
                writer.writerow([_cell(r[c]) for c in columns])
        written.append(path)
    descriptor = {
        "name": "mno-directory",
        "profile": "tabular-data-package",
        "hsds_profile": PROFILE,
        EXPORT_KEY: directory_version(session),  # the import names what changed since (tryout 5, H6)
        "resources": [{"name": n, "path": f"{n}.csv", "profile": "tabular-data-resource"} for n in data],
    }
    (dest / "datapackage.json").write_text(json.dumps(descriptor, indent=1) + "\n", encoding="utf-8")
    written.append(dest / "datapackage.json")
    return written
