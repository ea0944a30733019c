"""Reading directory packages into raw rows: the product's CSV folder (singular file names, encoding
and separator detected), its one-file JSON, an HSDS 3.1 tabular package (``hsds31``), nested HSDS
JSON (``hsds_json``) and Excel workbooks (``xlsx``). Problems are returned, never raised; the
validation and writing are in ``hsds_io``."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from mno_workflow.directory import sniff
from mno_workflow.directory.hsds_io import Problem, RawRow, restore
from mno_workflow.directory.read_words import csv_error, json_error, one_column
from mno_workflow.directory.schema import MODELS, required_columns
from mno_workflow.sop.diagnostics import said_fr


def read_csv_package(folder: Path) -> tuple[dict[str, list[RawRow]], list[Problem]]:
    """Read every ``<object>.csv`` of ``folder`` (encoding and separator detected). Header problems
    are returned. An HSDS 3.1 package (``datapackage.json``, plural file names) is read by
    :func:`mno_workflow.directory.hsds31.read_hsds_package` instead."""
    folder = Path(folder)
    if not folder.is_dir():
        from mno_workflow.i18n.files import file_error, folder_missing
        if folder.exists():  # a file that is not a package
            return {}, [Problem(str(folder), 0, "-", file_error(folder, NotADirectoryError()))]
        return {}, [Problem(str(folder), 0, "-", folder_missing(folder))]
    from mno_workflow.directory import hsds31

    if hsds31.is_hsds_package(folder):
        return hsds31.read_hsds_package(folder)
    sources: dict[str, list[RawRow]] = {}
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.csv")):
        name = path.stem
        label = path.name
        if name not in MODELS:
            problems.append(Problem(label, 0, "-", said_fr("fichier inconnu ; objets HSDS : {objects}",
                                                           objects=", ".join(MODELS))))
            continue
        try:
            text, _ = sniff.read_text(path)  # read and decoded once for both
            reader = sniff.reader(path, text=text)
        except sniff.UndecidableEncoding as exc:
            problems.append(Problem(label, 0, "-", exc.args[0]))  # a said_fr message
            continue
        opened = sniff.swallowed_rows(path, text=text)
        if opened is not None:
            problems.append(Problem(label, opened, "-", said_fr(
                "un guillemet ouvert ici n'est pas fermé où il le faudrait : les lignes suivantes seraient "
                "lues comme une seule cellule")))
            continue
        header = next(reader, None)
        if header is None:
            problems.append(Problem(label, 1, "-", said_fr("fichier vide : ligne d'en-tête attendue")))
            continue
        header = [h.strip() for h in header]
        bad = _header_problems(label, name, header)
        if one_column(header, MODELS[name].model_fields):  # a separator not detected: one line
            bad = [Problem(label, 1, "-", one_column(header, MODELS[name].model_fields))]
        problems.extend(bad)
        rows: list[RawRow] = []
        while True:
            start = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                problems.append(Problem(label, start, "-", csv_error(exc, start)))
                break
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                problems.append(
                    Problem(label, start, "-", said_fr("{cells} cellules pour {columns} colonnes",
                                                 cells=len(cells), columns=len(header)))
                )
                continue
            values = dict(zip(header, (restore(c) for c in cells), strict=False))
            rows.append(RawRow(label, start, values))
        if not bad:
            sources[name] = rows
    return sources, problems


def read_json_package(path: Path) -> tuple[dict[str, list[RawRow]], list[Problem]]:
    """Read a one-file JSON package; row numbers are 1-based positions in each object's list."""
    path = Path(path)
    label = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        from mno_workflow.i18n.files import file_error
        return {}, [Problem(label, 0, "-", file_error(path, exc))]
    except ValueError as exc:
        return {}, [Problem(label, getattr(exc, "lineno", 0), str(getattr(exc, "colno", "-")),
                            json_error(exc))]
    if not isinstance(data, dict):
        return {}, [Problem(label, 0, "-", said_fr("objet JSON attendu : {example}",
                                                   example='{"service": [...], ...}'))]
    return rows_from_mapping(data, label)


def rows_from_mapping(
    data: dict[str, Any], label: str = "<data>"
) -> tuple[dict[str, list[RawRow]], list[Problem]]:
    """Turn ``{"<object>": [row dicts]}`` into raw rows (the ``profile`` and version keys are ignored)."""
    sources: dict[str, list[RawRow]] = {}
    problems: list[Problem] = []
    for name, rows in data.items():
        if name in ("profile", "mno_directory_version"):  # the export's version: versions.EXPORT_KEY
            continue
        file = f"{label}[{name}]"
        if name not in MODELS:
            problems.append(Problem(file, 0, "-", said_fr("objet inconnu ; objets HSDS : {objects}",
                                                          objects=", ".join(MODELS))))
            continue
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            problems.append(Problem(file, 0, "-", said_fr("liste d'objets attendue")))
            continue
        sources[name] = [RawRow(file, i, dict(r)) for i, r in enumerate(rows, start=1)]
    return sources, problems


def _header_problems(label: str, name: str, header: list[str]) -> list[Problem]:
    known = MODELS[name].model_fields
    out = [
        Problem(label, 1, col, said_fr("colonne obligatoire manquante"))
        for col in required_columns(name)
        if col not in header
    ]
    out += [Problem(label, 1, col or "-", said_fr("colonne inconnue")) for col in header if col not in known]
    seen: set[str] = set()
    for col in header:
        if col in seen:
            out.append(Problem(label, 1, col, said_fr("colonne en double")))
        seen.add(col)
    return out


def _is_hsds_json(path: Path) -> bool:
    """Whether ``path`` holds nested HSDS JSON (``services``/``organizations``/``contents``, a list)
    rather than the product's one-file package (``{"<object>": [rows]}``)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return False
    if isinstance(doc, list):
        return True
    return isinstance(doc, dict) and bool({"services", "organizations", "contents"} & set(doc))


def read_package(path: Path) -> tuple[dict[str, list[RawRow]], list[Problem]]:
    """Read a CSV package folder, a ``.json`` file or an Excel workbook (``.xlsx``)."""
    path = Path(path)
    if not path.exists() and path.suffix:  # a file named (.json, .xlsx, .csv) that is not there
        from mno_workflow.i18n.files import file_error
        return {}, [Problem(str(path), 0, "-", file_error(path))]
    if path.is_file() and path.suffix.lower() == ".json":
        if _is_hsds_json(path):
            from mno_workflow.directory.hsds_json import read_hsds_json

            return read_hsds_json(path)
        return read_json_package(path)
    if path.suffix.lower() == ".xlsx":
        from mno_workflow.directory.xlsx import read_xlsx_package

        if not path.is_file():
            from mno_workflow.i18n.files import file_error
            return {}, [Problem(str(path), 0, "-", file_error(path))]
        return read_xlsx_package(path)
    return read_csv_package(path)
