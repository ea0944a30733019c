"""Validation of directory rows before an import: each row against its pydantic model (messages in
French), ids, foreign keys across the package and the database, service-area names and one
referral description per service; every problem is reported at once."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from mno_workflow.directory.areas import AreaRegistry
from mno_workflow.directory.problems import Problem, RawRow
from mno_workflow.directory.schema import MODELS, PROFILE_REQUIRED, foreign_keys
from mno_workflow.directory.tables import TABLES
from mno_workflow.sop.diagnostics import SaidFr, said_fr

CHUNK = 500
log = logging.getLogger("mno_workflow.directory")


_URL = said_fr("lien http(s)://, mailto: ou tel: attendu (javascript: et autres refusés)")
_EMAIL = said_fr("adresse e-mail attendue")
_TIME = said_fr("heure HH:MM attendue")
_PATTERN_HINTS = {
    "url": _URL,
    "website": _URL,
    "number": said_fr("numéro de téléphone attendu, ex. +226 70 12 34 56"),
    "currency": said_fr("code de devise ISO 4217 attendu : XOF"),
    "opens_at": _TIME,
    "closes_at": _TIME,
    "byday": said_fr("jours RFC 5545 attendus, ex. MO,TU,WE"),
    "email": _EMAIL,
    "assurer_email": _EMAIL,
    "focal_point_user_id": said_fr("identifiant d'utilisateur attendu, ex. focal.oim"),
    "country": said_fr("code pays ISO 3166 attendu, ex. BF"),
    "code": said_fr("code de langue ISO 639 attendu, ex. fr, mos, dyu, ff"),
}


def _french(err: dict[str, Any], column: str) -> str:
    """pydantic's error ``err`` on ``column`` as a catalogue message (French text, shown in the
    reader's language by ``Problem.format(lang)``)."""
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return said_fr("valeur obligatoire manquante")
    if kind == "extra_forbidden":
        return said_fr("colonne inconnue")
    if kind == "literal_error":
        return said_fr("valeur '{value}' invalide ; attendu : {expected}", value=value,
                       expected=str(ctx.get("expected", "")).replace(" or ", ", "))
    if kind.startswith("date_") or kind == "date_type":
        return said_fr("date invalide '{value}' (attendu AAAA-MM-JJ, date réelle)", value=value)
    if kind.startswith("int_"):
        return said_fr("nombre entier attendu, reçu '{value}'", value=value)
    if kind.startswith("float_"):
        return said_fr("nombre attendu, reçu '{value}'", value=value)
    if kind == "greater_than_equal":
        return said_fr("valeur {value} trop petite : minimum {minimum}", value=value, minimum=ctx.get("ge"))
    if kind == "less_than_equal":
        return said_fr("valeur {value} trop grande : maximum {maximum}", value=value, maximum=ctx.get("le"))
    if kind == "string_too_short" or (kind == "string_type" and value is None):
        return said_fr("valeur obligatoire manquante")
    if kind == "string_too_long":
        return said_fr("valeur trop longue (maximum {n} caractères)", n=ctx.get("max_length"))
    if kind == "string_pattern_mismatch":
        hint = _PATTERN_HINTS.get(column) or said_fr("format attendu {pattern}", pattern=ctx.get("pattern"))
        return said_fr("valeur '{value}' mal formée : {hint}", value=value, hint=hint)
    if kind == "value_error":
        found = ctx.get("error", err["msg"])
        said = found.args[0] if isinstance(found, Exception) and found.args else found
        if isinstance(said, SaidFr):  # our validators' words (directory/schema.py)
            return said
    if kind == "string_type":
        return said_fr("texte attendu, reçu {value}", value=repr(value))
    # a check without words of its own: pydantic's English sentence goes to the log only
    log.info("directory row, column %s: %s (%s)", column, err.get("msg"), kind)
    return said_fr("valeur '{value}' refusée (format ou type inattendu pour cette colonne)", value=value)


_FK_LABELS = {
    "organization": said_fr("organisation"),
    "service": said_fr("service"),
    "location": said_fr("lieu"),
    "unit": said_fr("unité"),
    "taxonomy": said_fr("taxonomie"),
    "taxonomy_term": said_fr("terme de taxonomie"),
    "contact": said_fr("contact"),
    "service_at_location": said_fr("service-lieu"),
}


def _fk_label(table: str) -> str:
    return _FK_LABELS.get(table, table)


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
    from .sop_areas import loaded_registries
    registries = [registry] if registry is not None else loaded_registries(session)  # every SOP's (K6)
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
                        said_fr("identifiant '{ident}' en double (déjà ligne {row})", ident=obj.id,
                                row=first_seen[obj.id]),
                    )
                )
                continue
            first_seen[obj.id] = raw.row
            required = () if raw.hsds else PROFILE_REQUIRED.get(name, ())
            missing = [c for c in required if getattr(obj, c) is None]
            for col in missing:
                problems.append(Problem(raw.file, raw.row, col, said_fr("valeur obligatoire manquante")))
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
            message = said_fr("{kind} : identifiant inconnu '{ident}'", kind=_fk_label(target), ident=ident)
            if not v.raw.hsds:
                problems.append(Problem(v.raw.file, v.raw.row, col, message))
                continue
            ext = dict(v.values.get("extensions") or {})
            ext["hsds:unresolved"] = {**ext.get("hsds:unresolved", {}), col: ident}
            v.values["extensions"] = ext
            if col != "link_id":  # link_id is no foreign key in the database
                v.values[col] = None
            warnings.append(
                Problem(v.raw.file, v.raw.row, col, said_fr("{problem} : référence gardée dans extensions",
                                                            problem=message))
            )

    for v in valid.get("service_area", []):
        if v.raw.hsds:
            continue
        if all(r.coverage(v.values["name"]) is None for r in registries):
            problems.append(
                Problem(
                    v.raw.file,
                    v.raw.row,
                    "name",
                    said_fr("zone inconnue '{name}' : région, ancienne région, province ou « {country} » "
                            "attendue", name=v.values["name"],
                            country=" / ".join(dict.fromkeys(r.country.name for r in registries))),
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
                    said_fr("service '{service}' déjà décrit ligne {row}", service=sid,
                            row=seen_service[sid]),
                )
            )
        seen_service.setdefault(sid, v.raw.row)
    problems.sort(key=lambda p: (p.file, p.row, p.column))
    return valid, problems
