"""The service directory as plain data for printed documents, read from the SOP's HSDS CSV folder.

Documents (pathway diagrams, printable directory, pocket guide, leaflets) are built without a
database: ``mno publish`` reads the HSDS tabular package that sits beside the SOP
(``sops/<country>/directory/``). Each :class:`PrintService` carries every contact field a
front-line worker needs (organisation, address, contact person, phones, hours, cost,
eligibility, referral channel, response times). Regions are the SOP's ``region`` option codes,
matched to service areas with the area registry of :mod:`mno_workflow.directory.areas`.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mno_workflow.directory.areas import default_registry
from mno_workflow.directory.matching import NeedLink, read_need_mapping
from mno_workflow.i18n import N_, Words

__all__ = ["PrintDirectory", "PrintService", "directory_from_session", "directory_from_tables",
           "find_directory", "read_directory"]

DAYS: Words = Words({  # key → French message id (English and others: the catalogues)
    "MO": N_("lun"),
    "TU": N_("mar"),
    "WE": N_("mer"),
    "TH": N_("jeu"),
    "FR": N_("ven"),
    "SA": N_("sam"),
    "SU": N_("dim"),
})


@dataclass
class PrintService:
    """One active service with everything printed about it (strings, '' when unknown)."""

    id: str
    name: str
    organisation: str
    organisation_type: str
    types: list[str]                     # service type codes (taxonomy term codes)
    type_labels: list[str]
    areas: list[str]                     # service area names as written in the directory
    national: bool
    regions: set[str]                    # region codes of the area registry
    address: str = ""
    contact: str = ""                    # name, title
    email: str = ""
    phones: list[str] = field(default_factory=list)
    hours: list[str] = field(default_factory=list)   # "lun–ven 07:30–15:30"
    cost: str = ""
    eligibility: str = ""
    channel: str = ""
    response: dict[str, str] = field(default_factory=dict)  # emergency/urgent/normal → "24 hours"
    # ids of the HSDS contact persons whose data is printed (for the access log, web/contacts_log.py):
    people: list[str] = field(default_factory=list)        # in ``contact`` / ``email``
    phone_people: list[str] = field(default_factory=list)  # owners of numbers in ``phones``

    def disclosed(self, names: bool = True) -> list[str]:
        """Contact persons whose data a document printing this service shows: the contact person
        and e-mail (``names``) and the owners of the phones (empty in the public form)."""
        return (self.people if names else []) + self.phone_people


@dataclass
class PrintDirectory:
    """Services, the need → service types mapping, and region names (code → display name)."""

    services: list[PrintService]
    needs: dict[str, list[NeedLink]]
    region_names: dict[str, str]
    registry: Any = None  # the SOP's area registry (directory/sop_areas.py); None: Burkina Faso's

    def for_region(self, region: str) -> list[PrintService]:
        """Services covering ``region`` (a region code or name), national ones last."""
        codes = _region_codes(region, self.registry)
        local = [s for s in self.services if s.regions & codes]
        return local + [s for s in self.services if s.national and s not in local]

    def for_need(self, need: str, region: str | None = None) -> list[tuple[NeedLink, list[PrintService]]]:
        """For each service type of ``need`` (primary first): the services of that type (of ``region``)."""
        pool = self.for_region(region) if region else self.services
        return [(link, [s for s in pool if link.service_type in s.types])
                for link in sorted(self.needs.get(need, []), key=lambda n: n.rank)]


def _region_codes(name: str, reg: Any = None) -> set[str]:
    reg = reg if reg is not None else default_registry()
    if name in reg.areas:
        return {name}
    return reg.resolve_regions(name)


def _read(folder: Path, name: str) -> list[dict[str, str]]:
    path = folder / f"{name}.csv"
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def find_directory(sop_path: str | Path) -> Path | None:
    """The ``directory/`` folder beside an SOP file, or None if there is none."""
    folder = Path(sop_path).resolve().parent / "directory"
    return folder if (folder / "service.csv").exists() else None


def _hours(rows: list[dict[str, str]], lang: str) -> list[str]:
    out = []
    for r in rows:
        days = [DAYS[lang].get(d.strip(), d.strip()) for d in r.get("byday", "").split(",") if d.strip()]
        span = f"{days[0]}–{days[-1]}" if len(days) > 2 else ", ".join(days)
        times = f"{r['opens_at']}–{r['closes_at']}" if r.get("opens_at") and r.get("closes_at") else ""
        text = " ".join(p for p in (span, times) if p) or r.get("description", "")
        if text:
            out.append(text)
    return out


TABLE_NAMES = ("organization", "taxonomy_term", "attribute", "service_area", "service_referral",
               "service_at_location", "contact", "phone", "location", "address", "schedule", "service")


def read_translations(folder: str | Path, lang: str) -> dict[str, str]:
    """``{French text: text in lang}`` of the directory's free text (service and organisation
    names, eligibility, fees, contact titles, addresses), from ``translations.<lang>.yaml`` in the
    directory folder (one key ``translations``); ``{}`` for French or when there is none."""
    path = Path(folder) / f"translations.{lang}.yaml"
    if lang == "fr" or not path.exists():
        return {}
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in (data.get("translations") or {}).items()}


def read_directory(folder: str | Path, lang: str = "fr", *, public: bool = False,
                   sop: Any = None) -> PrintDirectory:
    """Read an HSDS CSV folder into a :class:`PrintDirectory` (inactive and defunct services left
    out), its free text in ``lang`` where ``translations.<lang>.yaml`` gives it. ``public``:
    without the staff's personal contacts (:func:`mno_workflow.directory.public.public_rows`).

    Raises ``FileNotFoundError`` when ``service.csv`` is missing.
    """
    folder = Path(folder)
    if not (folder / "service.csv").exists():
        raise FileNotFoundError(f"no service.csv in {folder}")
    tables = {name: _read(folder, name) for name in TABLE_NAMES}
    if public:
        from mno_workflow.directory.public import public_rows

        tables = {name: rows for name, rows in public_rows(tables).items() if name in TABLE_NAMES}
    return directory_from_tables({name: tables.get(name, []) for name in TABLE_NAMES}, lang,
                                 read_translations(folder, lang), sop=sop)


def directory_from_session(session, lang: str = "fr", sop_id: str | None = None, *,
                           public: bool = False, sop: Any = None) -> PrintDirectory:
    """The directory of the database (the tables of :mod:`mno_workflow.directory.tables`); with
    ``sop_id``, its free text in ``lang`` from the ``translations.<lang>.yaml`` of the shipped
    SOP's directory folder (if any). ``public``: without the staff's personal contacts and
    focal points (:func:`mno_workflow.directory.public.public_rows`), for a reader without the
    ``directory_contacts`` permission."""
    from mno_workflow.directory.hsds_io import dump_tables
    from mno_workflow.directory.public import public_rows

    translations: dict[str, str] = {}
    if sop_id and lang != "fr":
        from .narrative_text import shipped_sop_path

        path = shipped_sop_path(sop_id)
        folder = find_directory(path) if path else None
        translations = read_translations(folder, lang) if folder else {}
    data = dump_tables(session)
    if public:
        data = public_rows(data)
    return directory_from_tables({name: data.get(name, []) for name in TABLE_NAMES}, lang, translations,
                                 sop=sop)


def _text(value) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    return text[:5] if len(text) == 8 and text[2] == ":" and text[5] == ":" else text  # 07:30:00


def _translator(translations: dict[str, str]):
    """A text in the translations' language: the whole text, else each ``, ``-separated part."""
    def tr(text: str) -> str:
        if not translations or not text:
            return text
        if text in translations:
            return translations[text]
        return ", ".join(translations.get(part, part) for part in text.split(", "))
    return tr


def directory_from_tables(tables: dict[str, list[dict]], lang: str = "fr",
                          translations: dict[str, str] | None = None, *, sop: Any = None) -> PrintDirectory:
    """A :class:`PrintDirectory` from HSDS rows ``{table: [{column: value}]}`` (CSV or database).
    Service areas and region names follow the area registry of ``sop`` (its own regions, tryout
    9, L10: a Mali SOP's pocket guides were Burkina Faso's; None: Burkina Faso's registry).

    ``translations`` (:func:`read_translations`) puts the free text in ``lang``; service types
    take the label of the need mapping in ``lang``."""
    tr = _translator(translations or {})
    type_names = {link.service_type: link.label_in(lang) for links in read_need_mapping().values()
                  for link in links}
    tables = {name: [{k: _text(v) for k, v in row.items() if k != "extensions"} for row in rows]
              for name, rows in tables.items()}

    def _read(_folder, name: str) -> list[dict[str, str]]:  # noqa: F811  (same shape as the CSV reader)
        return tables.get(name, [])

    folder = None
    orgs = {r["id"]: r for r in _read(folder, "organization")}
    terms = {r["id"]: r for r in _read(folder, "taxonomy_term")}
    by_service: dict[str, dict[str, list[dict[str, str]]]] = defaultdict(lambda: defaultdict(list))
    for name, key in (("attribute", "link_id"), ("service_area", "service_id"),
                      ("service_referral", "service_id"), ("service_at_location", "service_id"),
                      ("contact", "service_id"), ("phone", "service_id")):
        for r in _read(folder, name):
            if r.get(key):
                by_service[r[key]][name].append(r)
    by_org: dict[str, dict[str, list[dict[str, str]]]] = defaultdict(lambda: defaultdict(list))
    for name in ("contact", "phone", "location"):
        for r in _read(folder, name):
            if r.get("organization_id"):
                by_org[r["organization_id"]][name].append(r)
    addresses = {r["location_id"]: r for r in _read(folder, "address")}
    schedules: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in _read(folder, "schedule"):
        schedules[r.get("service_at_location_id") or r.get("service_id") or ""].append(r)
    from mno_workflow.directory.sop_areas import registry_for
    reg = registry_for(sop)
    services = []
    for s in _read(folder, "service"):
        if s.get("status") in ("inactive", "defunct"):
            continue
        rel, org = by_service[s["id"]], orgs.get(s.get("organization_id", ""), {})
        types = [terms[a["taxonomy_term_id"]] for a in rel["attribute"]
                 if a.get("taxonomy_term_id") in terms and a.get("link_type") in ("service_type", "")]
        national, regions = False, set()
        for a in rel["service_area"]:
            cov = reg.coverage(a["name"])
            if cov and cov[0] == "national":
                national = True
            elif cov:
                regions |= cov[1]
        sal = rel["service_at_location"]
        loc_ids = [x["location_id"] for x in sal] or [x["id"] for x in by_org[org.get("id", "")]["location"]]
        adr = next((addresses[i] for i in loc_ids if i in addresses), {})
        if not rel["service_area"]:  # no service area: the regions of its addresses in the SOP's
            own = reg.country.code.upper()  # country, as the directory search ranks it (M7)
            for i in loc_ids:
                a = addresses.get(i) or {}
                if a.get("country") and a["country"].upper() != own:
                    continue
                for name in (a.get("region"), a.get("state_province")):
                    if name:
                        regions |= reg.resolve_regions(name)
        contact = (rel["contact"] or by_org[org.get("id", "")]["contact"] or [{}])[0]
        phones = rel["phone"] or by_org[org.get("id", "")]["phone"]
        referral = (rel["service_referral"] or [{}])[0]
        sched = [h for x in sal for h in schedules.get(x["id"], [])] + schedules.get(s["id"], [])
        hours = [tr(h) for h in _hours(sched, lang)]
        services.append(PrintService(
            id=s["id"], name=tr(s["name"]), organisation=tr(org.get("name", "")),
            organisation_type=org.get("organization_type", ""),
            types=[ty["code"] for ty in types],
            type_labels=[type_names.get(ty["code"]) if lang != "fr" and type_names.get(ty["code"])
                         else tr(ty["name"]) for ty in types],
            areas=[a["name"] for a in rel["service_area"]], national=national, regions=regions,
            address=", ".join(p for p in (tr(adr.get("address_1", "")), adr.get("city", "")) if p),
            contact=", ".join(p for p in (contact.get("name", ""), tr(contact.get("title", ""))) if p),
            email=contact.get("email", "") or org.get("email", ""),
            phones=[p["number"] for p in phones if p.get("number")],
            hours=hours, cost=tr(s.get("fees_description", "")),
            eligibility=tr(s.get("eligibility_description", "") or referral.get("acceptance_criteria", "")),
            channel=referral.get("referral_channel", ""),
            response={k: referral.get(f"response_time_{k}", "") for k in ("emergency", "urgent", "normal")
                      if referral.get(f"response_time_{k}")},
            people=[contact["id"]] if contact.get("id") and (contact.get("name") or contact.get("email"))
            else [],
            phone_people=[p["contact_id"] for p in phones if p.get("number") and p.get("contact_id")],
        ))
    services.sort(key=lambda x: (x.organisation.lower(), x.name.lower()))
    names = {a.code: a.name for a in reg.regions()}
    return PrintDirectory(services=services, needs=read_need_mapping(), region_names=names, registry=reg)
