"""The directory as an Excel workbook (``.xlsx``, openpyxl): one sheet per HSDS object, for partners
who keep provider lists in Excel.

Export writes every object's sheet with the HSDS column names in row 1 (dates as dates, numbers as
numbers) and the directory's version in a custom property of the workbook. Import reads sheets
named by the HSDS object (``service``) or its French label
(``Services``, ``Organisations``, ``Lieux`` …) and columns named by HSDS (``name``) or in French
(``Nom``, ``Statut``, ``Âge minimum`` …; case and accents ignored), then validates like a CSV
package (the ``mno`` profile's rules), all or nothing. Problems name the cell: file
``<book>[<sheet>]``, the Excel row, and column ``<letter>:<field>`` (e.g. ``D:status``);
each message is a catalogue message (``said_fr``), shown in the reader's language by
``Problem.format(lang)``.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from mno_workflow.directory.areas import fold
from mno_workflow.directory.hsds_io import Problem, RawRow, dump_tables
from mno_workflow.directory.schema import MODELS
from mno_workflow.sop.diagnostics import said_fr

SHEETS_FR = {
    "organization": "Organisations",
    "program": "Programmes",
    "location": "Lieux",
    "address": "Adresses",
    "service": "Services",
    "service_at_location": "Services par lieu",
    "contact": "Contacts",
    "phone": "Téléphones",
    "schedule": "Horaires",
    "service_area": "Zones desservies",
    "language": "Langues",
    "cost_option": "Coûts",
    "unit": "Unités",
    "service_capacity": "Capacités",
    "taxonomy": "Taxonomies",
    "taxonomy_term": "Termes",
    "attribute": "Attributs",
    "service_referral": "Orientation",
    "url": "Liens",
    "funding": "Financements",
    "accessibility": "Accessibilité",
    "organization_identifier": "Identifiants",
    "required_document": "Documents requis",
}

COLUMNS_FR = {
    "identifiant": "id",
    "nom": "name",
    "autre nom": "alternate_name",
    "description": "description",
    "courriel": "email",
    "e-mail": "email",
    "site web": "website",
    "statut juridique": "legal_status",
    "organisation": "organization_id",
    "organisation mere": "parent_organization_id",
    "note": "note",
    "lieu": "location_id",
    "type de lieu": "location_type",
    "adresse": "address_1",
    "complement d'adresse": "address_2",
    "ville": "city",
    "region": "region",
    "province": "state_province",
    "code postal": "postal_code",
    "pays": "country",
    "service": "service_id",
    "statut": "status",
    "age minimum": "minimum_age",
    "age maximum": "maximum_age",
    "conditions d'eligibilite": "eligibility_description",
    "frais": "fees_description",
    "derniere verification": "assured_date",
    "numero": "number",
    "telephone": "number",
    "poste": "extension",
    "type": "type",
    "jours": "byday",
    "ouverture": "opens_at",
    "fermeture": "closes_at",
    "frequence": "freq",
    "code": "code",
    "option": "option",
    "devise": "currency",
    "montant": "amount",
    "unite": "unit_id",
    "maximum": "maximum",
    "disponibles": "available",
    "mise a jour": "updated",
    "taxonomie": "taxonomy_id",
    "terme": "taxonomy_term_id",
    "parent": "parent_id",
    "langue": "language",
    "canal d'orientation": "referral_channel",
    "criteres d'acceptation": "acceptance_criteria",
    "point focal": "focal_point_user_id",
    "sexe": "eligible_sex",
    "latitude": "latitude",
    "longitude": "longitude",
}

def _sheet_object(title: str) -> str | None:
    key = fold(title).replace("-", " ").replace("_", " ").strip()
    for name in MODELS:
        if key in (fold(name).replace("_", " "), fold(SHEETS_FR.get(name, name))):
            return name
    return None


def _column_field(label: str, name: str) -> str | None:
    if label in MODELS[name].model_fields:
        return label
    key = fold(label).replace("’", "'").strip()
    field = COLUMNS_FR.get(key)
    return field if field in MODELS[name].model_fields else None


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx_package(path: Path) -> tuple[dict[str, list[RawRow]], list[Problem]]:
    """Rows of every sheet of the workbook ``path``; unknown sheets and columns are problems."""
    path = Path(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is no workbook
        return {}, [Problem(path.name, 0, "-", said_fr("classeur Excel illisible : {error}",
                                                       error=type(exc).__name__))]
    sources: dict[str, list[RawRow]] = {}
    problems: list[Problem] = []
    for sheet in book.worksheets:
        label = f"{path.name}[{sheet.title}]"
        rows = list(sheet.iter_rows(values_only=True))
        if not rows or not any(c is not None for c in rows[0]):
            continue
        name = _sheet_object(sheet.title)
        if name is None:
            problems.append(Problem(label, 0, "-", said_fr("feuille inconnue : {sheets}",
                                                           sheets=", ".join(SHEETS_FR.values()))))
            continue
        fields: list[str | None] = []
        for i, cell in enumerate(rows[0], start=1):
            letter = get_column_letter(i)
            if cell is None or str(cell).strip() == "":
                fields.append(None)
                continue
            field = _column_field(str(cell).strip(), name)
            if field is None or field in fields:
                message = said_fr("colonne inconnue") if field is None else said_fr("colonne en double")
                problems.append(Problem(label, 1, f"{letter}:{cell}", message))
            fields.append(field)
        out = sources.setdefault(name, [])
        for number, cells in enumerate(rows[1:], start=2):
            if not any(c is not None and str(c).strip() for c in cells):
                continue
            values = {f: _text(c) for f, c in zip(fields, cells, strict=False) if f is not None}
            out.append(RawRow(label, number, values))
    book.close()
    return sources, problems


def cell_problems(problems: list[Problem], path: Path) -> list[Problem]:
    """``problems`` with each column given its Excel letter (``D:status``) where the sheet has it."""
    path = Path(path)
    try:
        book = load_workbook(path, read_only=True)
    except Exception:
        return problems
    headers: dict[str, dict[str, str]] = {}
    for sheet in book.worksheets:
        name = _sheet_object(sheet.title)
        first = next(sheet.iter_rows(values_only=True, max_row=1), ())
        headers[f"{path.name}[{sheet.title}]"] = {
            _column_field(str(c).strip(), name): get_column_letter(i)
            for i, c in enumerate(first, start=1)
            if c is not None and name is not None and _column_field(str(c).strip(), name)
        }
    book.close()
    out = []
    for p in problems:
        letter = headers.get(p.file, {}).get(p.column)
        out.append(Problem(p.file, p.row, f"{letter}:{p.column}", p.message) if letter else p)
    return out


def _cell(value: Any) -> Any:
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, datetime):
        return value.isoformat()  # Excel has no time zones: kept as ISO text
    if isinstance(value, float) and float(f"{value:.15g}") != value:
        return repr(value)  # Excel keeps 15 digits: more precision travels as text
    return value


def export_xlsx(session: Session, path: Path | str, *, public: bool = False) -> Path:
    """Write the directory to the workbook ``path``: one sheet per object, HSDS column names;
    ``public``: its public form (no personal contacts, :mod:`.public`). The directory's version
    goes in the workbook's custom property ``mno_directory_version`` (Excel and LibreOffice keep
    it when the file is edited), as the CSV and JSON packages carry it: the import keeps what
    changed since and refuses a cell changed on both sides (:func:`.hsds_own.export_mark`)."""
    from openpyxl.packaging.custom import IntProperty

    from mno_workflow.directory.versions import EXPORT_KEY, directory_version

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    book.remove(book.active)
    book.custom_doc_props.append(IntProperty(name=EXPORT_KEY, value=directory_version(session)))
    for name, rows in dump_tables(session, public=public).items():
        sheet = book.create_sheet(name)
        cols = list(MODELS[name].model_fields)
        sheet.append(cols)
        for r in rows:
            sheet.append([_cell(r[c]) for c in cols])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text stays text: "=1+1" is no formula
    book.save(path)
    return path
