"""DHIS2 export of the indicators: a mapping file (indicator × disaggregation → ``dataElement`` and
``categoryOptionCombo`` uids, region → ``orgUnit`` uid), validated with file:line:col before any
export; values as a DHIS2 ``dataValueSets`` JSON or an ADX XML message; and the push to a DHIS2
server's ``/api/dataValueSets`` (basic auth, ``dryRun=true``).

Suppressed cells are never sent: they are listed as warnings (« non envoyé : cellule masquée »).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from xml.etree import ElementTree as ET

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..i18n import gettext
from ..sop.diagnostics import Diagnostic, SOPError
from ..sop.schema import SOP
from .periods import Period, months

UID = r"^[A-Za-z][A-Za-z0-9]{10}$"
ADX_NS = "urn:ihe:qrph:adx:2015"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OrgUnit(_Strict):
    uid: str = Field(pattern=UID)
    pcode: str | None = None  # OCHA P-code of the area (for reference and matching)
    name: str | None = None


class DataElement(_Strict):
    """One indicator sent as a data element: ``value`` says which number (the count, a
    percentage, its numerator or denominator, a median); ``by`` a dimension whose values map to
    category option combos (else the default combo)."""

    uid: str = Field(pattern=UID)
    value: Literal["count", "percent", "numerator", "denominator", "median"] = "count"
    by: str | None = None
    category_option_combos: dict[str, str] = {}


class Mapping(_Strict):
    """The whole mapping file (see ``sops/burkina_faso/dhis2.example.yaml``)."""

    data_set: str | None = Field(default=None, pattern=UID)
    period_type: Literal["quarterly", "monthly"] = "quarterly"
    default_category_option_combo: str = Field(default="HllvX50cXC0", pattern=UID)
    org_units: dict[str, OrgUnit]
    data_elements: dict[str, DataElement]


def load_mapping(path: Path, sop: SOP) -> Mapping:
    """Read and validate a mapping file against ``sop``'s indicators, dimensions and regions.
    Raises :class:`SOPError` listing every problem with file:line:col."""
    from ..sop.loader import parse_yaml

    text = path.read_text(encoding="utf-8")
    data, pos = parse_yaml(text, str(path))
    try:
        m = Mapping.model_validate(data)
    except ValidationError as e:
        out = []
        for err in e.errors():
            loc = tuple(err["loc"])
            line, col = pos.of(loc) if loc else (1, 1)
            out.append(
                Diagnostic(
                    str(path),
                    line,
                    col,
                    "error",
                    "D001",
                    f"{'.'.join(map(str, loc)) or 'top level'}: {err['msg']}",
                    "DHIS2 uids are 11 characters, a letter then letters or digits",
                )
            )
        raise SOPError(out) from None
    diags: list[Diagnostic] = []

    def d(loc: tuple, code: str, msg: str, hint: str) -> None:
        line, col = pos.of(loc, key=True)
        diags.append(Diagnostic(str(path), line, col, "error", code, msg, hint))

    codes = {i.code: i for i in (sop.indicators.list_ if sop.indicators else [])}
    regions = set(sop.options.get("region", {}))
    for code, de in m.data_elements.items():
        ind = codes.get(code)
        if ind is None:
            d(
                ("data_elements", code),
                "D002",
                f"unknown indicator {code!r}",
                f"use one of: {', '.join(sorted(codes))}",
            )
            continue
        kinds = {
            "count": ("cases", "events", "items"),
            "percent": ("within_deadline",),
            "numerator": ("within_deadline",),
            "denominator": ("within_deadline",),
            "median": ("duration",),
        }
        if ind.count not in kinds[de.value]:
            d(
                ("data_elements", code, "value"),
                "D003",
                f"value {de.value!r} does not fit a {ind.count!r} indicator",
                "count for counts, percent/numerator/denominator for deadlines, median for durations",
            )
        if de.by is not None and (de.by,) not in ind.breakdowns():
            d(
                ("data_elements", code, "by"),
                "D004",
                f"{code} has no breakdown by {de.by!r}",
                f"use one of: {', '.join(b[0] for b in ind.breakdowns() if len(b) == 1)}",
            )
        if de.by is None and de.category_option_combos:
            d(
                ("data_elements", code, "category_option_combos"),
                "D004",
                "category option combos without 'by'",
                "say which dimension they disaggregate",
            )
        for v, uid in de.category_option_combos.items():
            import re

            if not re.fullmatch(UID, uid):
                d(
                    ("data_elements", code, "category_option_combos", v),
                    "D001",
                    f"invalid uid {uid!r}",
                    "11 characters, a letter then letters or digits",
                )
    known = cod_pcodes()
    for region, ou in m.org_units.items():
        if ou.pcode and ou.pcode.startswith("BF") and ou.pcode not in known:
            d(
                ("org_units", region, "pcode"),
                "D007",
                f"unknown OCHA P-code {ou.pcode!r} / P-code OCHA inconnu",
                "use a COD-AB P-code of Burkina Faso (mno_workflow/indicators/data/cod_ab_bfa_pcodes.csv)",
            )
        if region not in regions:
            d(
                ("org_units", region),
                "D005",
                f"unknown region {region!r}",
                f"use one of: {', '.join(sorted(regions))}",
            )
    missing = sorted(regions - set(m.org_units))
    if missing:
        d(
            ("org_units",),
            "D006",
            f"no orgUnit for these regions: {', '.join(missing)}",
            "map every region of the SOP (values of an unmapped region would be lost)",
        )
    if diags:
        raise SOPError(diags)
    return m


def cod_pcodes() -> dict[str, tuple[int, str, str]]:
    """OCHA COD-AB P-codes of Burkina Faso (regions and provinces before the 2025 decree):
    ``{pcode: (admin_level, name, parent_pcode)}``, from ``data/cod_ab_bfa_pcodes.csv`` (its
    header comment cites the source)."""
    import csv
    from importlib.resources import files

    text = files(__package__).joinpath("data/cod_ab_bfa_pcodes.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {r["pcode"]: (int(r["admin_level"]), r["name"], r["parent_pcode"]) for r in rows}


@dataclass
class Export:
    """The data values to send (``dataElement``, ``period``, ``orgUnit``, ``categoryOptionCombo``,
    ``value``) and the warnings (suppressed cells not sent), in French then English."""

    values: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    data_set: str | None = None


def build(
    histories: list, sop: SOP, mapping: Mapping, period: Period, now: datetime, org_type=None
) -> Export:
    """The values of ``period`` (or of each of its months) for every mapped region. A cell hidden
    by small-cell suppression is not sent; when it is the only region hidden for a value, the
    smallest other region's cell is withheld too (complementary suppression), so that a national
    total shown elsewhere minus the regions sent does not give it back."""
    from .compute import Computer
    from .present import present

    out = Export(data_set=mapping.data_set)
    groups: dict[tuple, list[tuple[str, dict[str, str] | None]]] = {}  # cells of one value across regions
    periods = months(period) if mapping.period_type == "monthly" else [period]
    codes = {i.code: i for i in sop.indicators.list_}
    for p in periods:
        iso = p.iso or f"{p.start:%Y%m%d}"
        for region, ou in sorted(mapping.org_units.items()):
            comp = Computer(sop, histories, p, now, {"region": region}, org_type=org_type)
            for code, de in mapping.data_elements.items():
                shown = present(sop, comp.compute(codes[code]), "fr")
                rows = [((), shown.total)]
                if de.by:
                    table = next(t for t in shown.tables if t[0] == (de.by,))
                    rows = [(r.codes, r) for r in table[2]]
                for key, row in rows:
                    coc = (
                        de.category_option_combos.get(key[0])
                        if key
                        else mapping.default_category_option_combo
                    )
                    if coc is None:
                        out.warnings.append(
                            gettext("{cell} : valeur {value} sans categoryOptionCombo (non envoyée)",
                                    cell=f"{code} {region} {iso}", value=repr(key[0]))
                        )
                        continue
                    number = {
                        "count": row.raw,
                        "percent": row.raw,
                        "median": row.raw,
                        "numerator": row.numerator,
                        "denominator": row.denominator,
                    }[de.value]
                    cell = groups.setdefault((code, de.uid, iso, coc, "/".join(key)), [])
                    if isinstance(number, str) or number is None:
                        if row.value not in ("—", 0):
                            out.warnings.append(
                                gettext("{cell} : cellule masquée, non envoyée",
                                        cell=f"{code} {region} {iso} {'/'.join(key)}")
                            )
                            cell.append((region, None))
                        continue
                    text = str(int(number)) if float(number).is_integer() else str(round(float(number), 1))
                    cell.append((region, {
                        "dataElement": de.uid,
                        "period": iso,
                        "orgUnit": ou.uid,
                        "categoryOptionCombo": coc,
                        "value": text,
                    }))
    for (code, _uid, iso, _coc, key), cells in groups.items():
        sent = [(float(v["value"]), region) for region, v in cells if v is not None]
        if sum(1 for _r, v in cells if v is None) == 1 and sent:
            # one region hidden alone: the national figure (dashboard, report) minus the regions
            # sent would give it back; hide the smallest other region too (complementary)
            _n, other = min(sent, key=lambda x: (x[0] == 0, x[0], x[1]))
            cells[:] = [(r, None if r == other else v) for r, v in cells]
            out.warnings.append(
                gettext("{cell} : cellule masquée pour protéger une autre région, non envoyée",
                        cell=f"{code} {other} {iso} {key}")
            )
        out.values += [v for _r, v in cells if v is not None]
    return out


def data_value_sets(exp: Export) -> dict[str, Any]:
    """The DHIS2 ``dataValueSets`` JSON payload."""
    body: dict[str, Any] = {"dataValues": exp.values}
    if exp.data_set:
        body = {"dataSet": exp.data_set, **body}
    return body


def adx_period(iso: str) -> str:
    """ADX period of a DHIS2 ISO period: ``2025Q2`` → ``2025-04-01/P3M``, ``202504`` →
    ``2025-04-01/P1M``, ``2025`` → ``2025-01-01/P1Y``."""
    from .periods import parse

    p = parse(iso)
    length = {"quarter": "P3M", "month": "P1M", "year": "P1Y"}.get(p.kind, f"P{(p.end - p.start).days + 1}D")
    return f"{p.start.isoformat()}/{length}"


def adx(exp: Export, mapping: Mapping) -> bytes:
    """An ADX message (``urn:ihe:qrph:adx:2015``): one ``group`` per orgUnit × period, one
    ``dataValue`` per value; a disaggregated value carries ``categoryOptionCombo``."""
    ET.register_namespace("", ADX_NS)
    root = ET.Element(f"{{{ADX_NS}}}adx", {"exported": datetime.now(UTC).replace(microsecond=0).isoformat()})
    groups: dict[tuple[str, str], ET.Element] = {}
    for v in exp.values:
        key = (v["orgUnit"], v["period"])
        if key not in groups:
            attrs = {"orgUnit": v["orgUnit"], "period": adx_period(v["period"])}
            if exp.data_set:
                attrs["dataSet"] = exp.data_set
            groups[key] = ET.SubElement(root, f"{{{ADX_NS}}}group", attrs)
        attrs = {"dataElement": v["dataElement"], "value": v["value"]}
        if v["categoryOptionCombo"] != mapping.default_category_option_combo:
            attrs["categoryOptionCombo"] = v["categoryOptionCombo"]
        ET.SubElement(groups[key], f"{{{ADX_NS}}}dataValue", attrs)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def post(
    url: str, payload: dict[str, Any], user: str, password: str, *, dry_run: bool, timeout: float = 60
) -> dict[str, Any]:
    """POST ``payload`` to ``{url}/api/dataValueSets`` (basic auth, ``dryRun`` as asked); returns
    the server's import summary. Raises ``RuntimeError`` with the status and the server's text."""
    import httpx

    from ..sop.diagnostics import said_fr

    target = url.rstrip("/") + "/api/dataValueSets"
    try:
        r = httpx.post(
            target,
            json=payload,
            auth=(user, password),
            timeout=timeout,
            params={"dryRun": "true" if dry_run else "false", "importStrategy": "CREATE_AND_UPDATE"},
        )
    except httpx.TimeoutException:
        raise RuntimeError(said_fr("le serveur {url} n'a pas répondu à temps", url=target)) from None
    except httpx.HTTPError:  # refused, unknown name, bad address: httpx says it in English
        raise RuntimeError(said_fr("le serveur {url} est injoignable", url=target)) from None
    if r.status_code >= 400:  # the server's own text follows (DHIS2's words)
        raise RuntimeError(said_fr("DHIS2 a répondu {status} : {text}", status=r.status_code,
                                   text=r.text[:300]))
    try:
        return r.json()
    except json.JSONDecodeError:
        raise RuntimeError(said_fr("réponse non JSON : {text}", text=r.text[:200])) from None
