"""Validation of directory rows before an import: each row against its pydantic model (messages in
French), ids, foreign keys across the package and the database, service-area names and one
referral description per service; every problem is reported at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from mno_workflow.directory.areas import AreaRegistry, default_registry
from mno_workflow.directory.problems import Problem, RawRow
from mno_workflow.directory.schema import MODELS, PROFILE_REQUIRED, foreign_keys
from mno_workflow.directory.tables import TABLES

CHUNK = 500


_PATTERN_HINTS = {
    "url": "lien http(s)://, mailto: ou tel: attendu (javascript: et autres refusés)",
    "website": "lien http(s)://, mailto: ou tel: attendu (javascript: et autres refusés)",
    "number": "numéro de téléphone attendu, ex. +226 70 12 34 56",
    "currency": "code de devise ISO 4217 attendu : XOF",
    "opens_at": "heure HH:MM attendue",
    "closes_at": "heure HH:MM attendue",
    "byday": "jours RFC 5545 attendus, ex. MO,TU,WE",
    "email": "adresse e-mail attendue",
    "assurer_email": "adresse e-mail attendue",
    "focal_point_user_id": "identifiant d'utilisateur attendu, ex. focal.oim",
    "country": "code pays ISO 3166 attendu, ex. BF",
    "code": "code de langue ISO 639 attendu, ex. fr, mos, dyu, ff",
}


def _french(err: dict[str, Any], column: str) -> str:
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "valeur obligatoire manquante"
    if kind == "extra_forbidden":
        return "colonne inconnue"
    if kind == "literal_error":
        return f"valeur '{value}' invalide ; attendu : {ctx.get('expected', '')}".replace(" or ", ", ")
    if kind.startswith("date_") or kind == "date_type":
        return f"date invalide '{value}' (attendu AAAA-MM-JJ, date réelle)"
    if kind.startswith("int_"):
        return f"nombre entier attendu, reçu '{value}'"
    if kind.startswith("float_"):
        return f"nombre attendu, reçu '{value}'"
    if kind == "greater_than_equal":
        return f"valeur {value} trop petite : minimum {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"valeur {value} trop grande : maximum {ctx.get('le')}"
    if kind == "string_too_short" or (kind == "string_type" and value is None):
        return "valeur obligatoire manquante"
    if kind == "string_too_long":
        return f"valeur trop longue (maximum {ctx.get('max_length')} caractères)"
    if kind == "string_pattern_mismatch":
        hint = _PATTERN_HINTS.get(column, f"format attendu {ctx.get('pattern')}")
        return f"valeur '{value}' mal formée : {hint}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind == "string_type":
        return f"texte attendu, reçu {value!r}"
    return str(err["msg"])


def _fk_label(table: str) -> str:
    return {
        "organization": "organisation",
        "service": "service",
        "location": "lieu",
        "unit": "unité",
        "taxonomy": "taxonomie",
        "taxonomy_term": "terme de taxonomie",
        "contact": "contact",
        "service_at_location": "service-lieu",
    }.get(table, table)


@dataclass
class _Valid:
    raw: RawRow
    values: dict[str, Any]


def _existing_ids(session: Session, name: str, ids: Iterable[str]) -> set[str]:
    table = TABLES[name]
    ids = list(ids)
    found: set[str] = set()
    for i in range(0, len(ids), CHUNK):
        found |= set(session.scalars(select(table.c.id).where(table.c.id.in_(ids[i : i + CHUNK]))))
    return found


def validate_rows(
    session: Session | None,
    sources: dict[str, list[RawRow]],
    registry: AreaRegistry | None = None,
    warnings: list[Problem] | None = None,
) -> tuple[dict[str, list[_Valid]], list[Problem]]:
    """Validate rows, ids, foreign keys (package ∪ database) and service-area names.

    Rows of an HSDS package (``RawRow.hsds``) follow HSDS 3.1 rules: a reference to an object in
    neither the package nor the database is moved to ``extensions["hsds:unresolved"]`` and
    reported in ``warnings`` (if given) instead of being an error; the ``mno`` profile's checks
    (required columns, area names, currency…) apply to the other rows."""
    warnings = warnings if warnings is not None else []
    registry = registry or default_registry()
    problems: list[Problem] = []
    valid: dict[str, list[_Valid]] = {}
    failed_ids: dict[str, set[str]] = {}  # ids of invalid rows: not reported again as unknown references
    for name, rows in sources.items():
        model = MODELS[name]
        first_seen: dict[str, int] = {}
        out: list[_Valid] = []
        for raw in rows:
            try:
                obj = model.model_validate(raw.values, context={"hsds": raw.hsds})
            except ValidationError as exc:
                for err in exc.errors(include_url=False):
                    column = str(err["loc"][0]) if err["loc"] else "-"
                    problems.append(Problem(raw.file, raw.row, column, _french(err, column)))
                if isinstance(raw.values.get("id"), str):
                    failed_ids.setdefault(name, set()).add(raw.values["id"])
                continue
            if obj.id in first_seen:
                problems.append(
                    Problem(
                        raw.file,
                        raw.row,
                        "id",
                        f"identifiant '{obj.id}' en double (déjà ligne {first_seen[obj.id]})",
                    )
                )
                continue
            first_seen[obj.id] = raw.row
            required = () if raw.hsds else PROFILE_REQUIRED.get(name, ())
            missing = [c for c in required if getattr(obj, c) is None]
            for col in missing:
                problems.append(Problem(raw.file, raw.row, col, "valeur obligatoire manquante"))
            if missing:
                failed_ids.setdefault(name, set()).add(obj.id)
                continue
            out.append(_Valid(raw, obj.model_dump()))
        valid[name] = out

    package_ids = {
        name: {v.values["id"] for v in rows} | failed_ids.get(name, set()) for name, rows in valid.items()
    }
    wanted: dict[str, set[str]] = {}
    refs: list[tuple[_Valid, str, str, str]] = []  # (row, column, table, id)
    for name, rows in valid.items():
        fks = foreign_keys(name)
        for v in rows:
            for col, target in fks.items():
                if v.values.get(col) is not None:
                    refs.append((v, col, target, v.values[col]))
            entity = v.values.get("link_entity") if name == "attribute" else None
            if entity in MODELS and v.values.get("link_id") is not None:
                refs.append((v, "link_id", entity, v.values["link_id"]))
    for _v, _col, target, ident in refs:
        if ident not in package_ids.get(target, set()):
            wanted.setdefault(target, set()).add(ident)
    in_db = {
        t: (_existing_ids(session, t, ids) if session is not None else set()) for t, ids in wanted.items()
    }
    for v, col, target, ident in refs:
        if ident not in package_ids.get(target, set()) and ident not in in_db.get(target, set()):
            message = f"{_fk_label(target)} : identifiant inconnu '{ident}'"
            if not v.raw.hsds:
                problems.append(Problem(v.raw.file, v.raw.row, col, message))
                continue
            ext = dict(v.values.get("extensions") or {})
            ext["hsds:unresolved"] = {**ext.get("hsds:unresolved", {}), col: ident}
            v.values["extensions"] = ext
            if col != "link_id":  # link_id is no foreign key in the database
                v.values[col] = None
            warnings.append(
                Problem(v.raw.file, v.raw.row, col, f"{message} : référence gardée dans extensions")
            )

    for v in valid.get("service_area", []):
        if v.raw.hsds:
            continue
        if registry.coverage(v.values["name"]) is None:
            problems.append(
                Problem(
                    v.raw.file,
                    v.raw.row,
                    "name",
                    f"zone inconnue '{v.values['name']}' : région, ancienne région, province "
                    f"ou « {registry.country.name} » attendue",
                )
            )
    seen_service: dict[str, int] = {}
    for v in valid.get("service_referral", []):
        sid = v.values["service_id"]
        if sid is None:
            continue
        if sid in seen_service:
            problems.append(
                Problem(
                    v.raw.file,
                    v.raw.row,
                    "service_id",
                    f"service '{sid}' déjà décrit ligne {seen_service[sid]}",
                )
            )
        seen_service.setdefault(sid, v.raw.row)
    problems.sort(key=lambda p: (p.file, p.row, p.column))
    return valid, problems
