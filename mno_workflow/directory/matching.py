"""Referral matching: rank the directory's services for one need of one case, with reasons in French.

A service is a candidate when one of its service types (taxonomy terms linked by ``attribute``
rows) is mapped to the need in ``data/need_service_types.csv``, it covers the case's region, a
neighbouring region or the whole country, it is neither inactive nor defunct, it is not at
capacity, and the case's age and sex are eligible. Candidates are ranked by coverage first (the
case's region, then neighbouring regions, then national coverage), then by how well the type
fits, cost (free first), language and status.
"""

from __future__ import annotations

import calendar
import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mno_workflow.directory.areas import DATA_DIR, AreaRegistry, fold
from mno_workflow.directory.tables import TABLES
from mno_workflow.sop.diagnostics import said_fr

DEFAULT_MAPPING = DATA_DIR / "need_service_types.csv"

# Scoring weights. Coverage steps are 1000 apart and the other terms add up to far less, so
# coverage decides the order first; then a primary type beats a secondary one whatever the cost
# (50 > 30), then cost, language, eligibility confirmed, and a temporarily closed service comes last.
COVERAGE_POINTS = {"region": 3000, "neighbour": 2000, "national": 1000}
TYPE_POINTS = {1: 50, 2: 0}
COST_POINTS = {"free": 30, "shared_cost": 15, "paid": 0}
LANGUAGE_MATCH, LANGUAGE_MISSING = 20, -20
ELIGIBLE_POINTS = 5
CLOSED_PENALTY = -100
EXCLUDED_STATUSES = ("inactive", "defunct")


# the coverage reason, by (coverage, served region read from the service's addresses)
_ZONE = {
    ("region", False): lambda names: said_fr("Zone : {names} (région du dossier)", names=names),
    ("region", True): lambda names: said_fr("Zone : {names} (région du dossier, d'après l'adresse du "
                                            "service)", names=names),
    ("neighbour", False): lambda names: said_fr("Zone : région voisine {names}", names=names),
    ("neighbour", True): lambda names: said_fr("Zone : région voisine {names} (d'après l'adresse du "
                                               "service)", names=names),
}


class MatchError(ValueError):
    """An unknown need code or region name (the argument is a catalogue message: French as
    ``str``, ``text_in(e.args[0], lang)`` in another language)."""


@dataclass(frozen=True)
class _TypeLabel:
    """A service type's label in the reader's language (a value of a reason)."""

    link: NeedLink

    def text(self, lang: str | None = None) -> str:
        return self.link.label_in(lang or "fr")


@dataclass(frozen=True)
class _DirectoryWord:
    """A word of the directory's data (a capacity unit, « lit (couchage) ») in the reader's
    language when the directory's translations have it (a value of a reason)."""

    word: str

    def text(self, lang: str | None = None) -> str:
        from .names_lang import in_lang
        return in_lang(self.word, lang)


@dataclass(frozen=True)
class Years:
    """``n`` years in words, in the reader's language (« 1 an », « 18 ans »): a value of a reason."""

    n: int

    def text(self, lang: str | None = None) -> str:
        from mno_workflow.i18n import ngettext
        return ngettext("{n} an", "{n} ans", self.n, lang or "fr")

    def __str__(self) -> str:
        return self.text("fr")


@dataclass(frozen=True)
class NeedLink:
    """One line of the need → service type mapping. ``rank`` 1 = primary type, 2 = secondary."""

    need: str
    dimension: str
    service_type: str
    rank: int
    label: str
    label_en: str = ""

    def label_in(self, lang: str) -> str:
        """The service type's label in ``lang`` (English when the mapping has it, else French)."""
        return self.label_en if lang == "en" and self.label_en else self.label


def read_need_mapping(path: Path = DEFAULT_MAPPING) -> dict[str, list[NeedLink]]:
    """Read the need → service types mapping CSV (need, dimension, service_type, rank, label_fr,
    label_en)."""
    out: dict[str, list[NeedLink]] = defaultdict(list)
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out[row["need"]].append(
                NeedLink(
                    row["need"], row["dimension"], row["service_type"], int(row["rank"]), row["label_fr"],
                    row.get("label_en") or "",
                )
            )
    return dict(out)


@lru_cache(maxsize=1)
def default_mapping() -> dict[str, list[NeedLink]]:
    return read_need_mapping()


@dataclass
class Candidate:
    """One proposed service. ``coverage`` is ``region``, ``neighbour`` or ``national``."""

    service_id: str
    service_name: str
    organization_id: str
    organization_name: str
    score: int
    coverage: str
    reasons: list[str] = field(default_factory=list)
    status: str = "active"
    focal_point_user_id: str | None = None
    referral_channel: str | None = None
    response_times: dict[str, str | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def reasons_in(self, lang: str) -> list[str]:
        """The reasons in ``lang`` (each a catalogue message, French text kept in ``reasons``)."""
        from mno_workflow.sop.diagnostics import text_in

        return [text_in(r, lang) for r in self.reasons]


def services_for_need(session: Session, need: str,
                      mapping: dict[str, list[NeedLink]] | None = None) -> set[str] | None:
    """The ids of the services whose service types the mapping links to ``need`` (the types
    :func:`match` looks for, whatever their area or status); None for a need the mapping does not
    know (nothing to say about it)."""
    mapping = mapping if mapping is not None else default_mapping()
    if need not in mapping:
        return None
    attr, term = TABLES["attribute"], TABLES["taxonomy_term"]
    return set(session.scalars(
        select(attr.c.link_id).join(term, term.c.id == attr.c.taxonomy_term_id)
        .where(attr.c.link_entity == "service", term.c.code.in_([x.service_type for x in mapping[need]]))))


def offers_need(session: Session, service_id: str, need: str,
                mapping: dict[str, list[NeedLink]] | None = None) -> bool | None:
    """Whether the directory says service ``service_id`` offers ``need`` (one of its types is
    mapped to the need); None when the need is not in the mapping."""
    ids = services_for_need(session, need, mapping)
    return None if ids is None else service_id in ids


def _by_service(session: Session, name: str, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    table = TABLES[name]
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in session.execute(
        select(table).where(table.c.service_id.in_(ids)).order_by(table.c.id)
    ).mappings():
        out[row["service_id"]].append(dict(row))
    return out


def _xof(amount: float | None) -> str:
    if isinstance(amount, float) and amount.is_integer():
        amount = int(amount)
    return "" if amount is None else f"{amount:,} FCFA".replace(",", " ")


def months_before(day: date, months: int) -> date:
    """``day`` minus ``months`` calendar months, the day clamped to the month's end (31 Aug − 6 → 28 Feb)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def match(
    session: Session,
    need: str,
    region: str,
    age: int | None = None,
    sex: str | None = None,
    language: str | None = None,
    limit: int = 10,
    *,
    registry: AreaRegistry | None = None,
    mapping: dict[str, list[NeedLink]] | None = None,
    today: date | None = None,
    sop: Any | None = None,
) -> list[Candidate]:
    """Rank services for ``need`` (a code of the SOP's ``need`` option list) in ``region``: a
    region name, former name or province, any case or accents, among the areas of ``sop`` (its
    ``region`` options, :func:`.sop_areas.registry_for`; None: Burkina Faso's), whose needs then
    bound ``need``. A service without service area serves the regions of its addresses. ``age``
    in years; ``sex`` ``"f"``/``"m"``; ``language`` an ISO 639 code or a name. At most ``limit``
    candidates, best first, with reasons. Raises MatchError for an unknown need or region.
    """
    from .sop_areas import address_regions, is_national_word, national_word_abroad, registry_for
    registry = registry or registry_for(sop)
    mapping = mapping if mapping is not None else default_mapping()
    today = today or date.today()
    needs = (sop.options.get("need") or {}) if sop is not None else None
    if needs is not None and need not in needs:
        raise MatchError(said_fr("besoin inconnu « {need} » ; besoins de la POS : {known}", need=need,
                                 known=", ".join(needs) or "-"))
    if needs is not None and need not in mapping:
        raise MatchError(said_fr("aucun type de service de l'annuaire n'est associé au besoin « {need} » "
                                 "(need_service_types.csv)", need=need))
    if need not in mapping:
        raise MatchError(said_fr("besoin inconnu « {need} » ; besoins connus : {known}", need=need,
                                 known=", ".join(sorted(mapping))))
    home = registry.resolve_regions(region)
    if not home:
        raise MatchError(said_fr("région inconnue « {region} »", region=region))
    near = registry.neighbours_of(home)
    if sex is not None and sex not in ("f", "m"):
        raise MatchError(said_fr("sexe « {sex} » invalide : f ou m", sex=sex))

    links = {link.service_type: link for link in mapping[need]}
    attr, term = TABLES["attribute"], TABLES["taxonomy_term"]
    rows = session.execute(
        select(attr.c.link_id, term.c.code)
        .join(term, term.c.id == attr.c.taxonomy_term_id)
        .where(attr.c.link_entity == "service", term.c.code.in_(list(links)))
    ).all()
    types_of: dict[str, set[str]] = defaultdict(set)
    for service_id, code in rows:
        types_of[service_id].add(code)
    if not types_of:
        return []
    ids = sorted(types_of)
    svc, org = TABLES["service"], TABLES["organization"]
    services = (
        session.execute(
            select(svc, org.c.name.label("organization_name"))
            .join(org, org.c.id == svc.c.organization_id)
            .where(svc.c.id.in_(ids), svc.c.status.not_in(EXCLUDED_STATUSES))
        )
        .mappings()
        .all()
    )
    ids = [s["id"] for s in services]
    areas = _by_service(session, "service_area", ids)
    capacities = _by_service(session, "service_capacity", ids)
    costs = _by_service(session, "cost_option", ids)
    languages = _by_service(session, "language", ids)
    referrals = _by_service(session, "service_referral", ids)
    placed = address_regions(session, [i for i in ids if not areas.get(i)], registry)
    elsewhere = national_word_abroad(session, sop, services)  # « National » of another country
    units = {r.id: r.name for r in session.execute(select(TABLES["unit"])).all()}
    stale_before = months_before(today, 6)

    out: list[Candidate] = []
    for s in services:
        reasons: list[str] = []  # catalogue messages (said_fr: French as str, text_in(r, lang))
        # Coverage -------------------------------------------------------------------------
        covered: set[str] = set()
        national = False
        for a in areas.get(s["id"], []):
            cov = registry.coverage(a["name"])
            if cov is None or (cov[0] == "national" and s["id"] in elsewhere and is_national_word(a["name"])):
                continue
            if cov[0] == "national":
                national = True
            covered |= cov[1]
        located = not areas.get(s["id"])  # no service area: the regions of its addresses
        covered |= placed.get(s["id"], set()) if located else set()
        if covered & (home | near):
            coverage = "region" if covered & home else "neighbour"
            shown = covered & (home if coverage == "region" else near)
            names = ", ".join(sorted(registry.areas[c].name for c in shown))
            reasons.append(_ZONE[coverage, located](names))
        elif national:
            coverage = "national"
            reasons.append(said_fr("Zone : couverture nationale"))
        else:
            continue
        score = COVERAGE_POINTS[coverage]
        # Service type ---------------------------------------------------------------------
        best = min((links[t] for t in types_of[s["id"]]), key=lambda link: (link.rank, link.service_type))
        score += TYPE_POINTS.get(best.rank, 0)
        kind = _TypeLabel(best)
        reasons.append(said_fr("Type de service : {label} (principal pour ce besoin)", label=kind)
                       if best.rank == 1 else
                       said_fr("Type de service : {label} (secondaire pour ce besoin)", label=kind))
        # Capacity -------------------------------------------------------------------------
        caps = capacities.get(s["id"], [])
        if caps and all(c["available"] <= 0 for c in caps):
            continue
        for c in caps:
            # the unit as a label, the number alone after it: a unit is the directory's data
            # (« lit (couchage) »), with no plural form to agree with the number
            reasons.append(said_fr("Capacité disponible — {unit} : {n}", n=c["available"],
                                   unit=_DirectoryWord(units.get(c["unit_id"]) or c["unit_id"])))
        # Eligibility: age -----------------------------------------------------------------
        low, high = s["minimum_age"], s["maximum_age"]
        if low is not None or high is not None:
            span = (
                said_fr("{low}–{high}", low=low, high=Years(high))
                if low is not None and high is not None
                else said_fr("{low} et plus", low=Years(low))
                if low is not None
                else said_fr("jusqu'à {high}", high=Years(high))
            )
            if age is None:
                reasons.append(said_fr("Âge à vérifier ({span})", span=span))
            elif (low is not None and age < low) or (high is not None and age > high):
                continue
            else:
                score += ELIGIBLE_POINTS
                reasons.append(said_fr("Âge {age} : éligible ({span})", age=Years(age), span=span))
        # Eligibility: sex -----------------------------------------------------------------
        ref = (referrals.get(s["id"]) or [None])[0]
        only = ref["eligible_sex"] if ref else None
        if only is not None:
            if sex is None:
                reasons.append(said_fr("Réservé aux femmes : à vérifier") if only == "f"
                               else said_fr("Réservé aux hommes : à vérifier"))
            elif sex != only:
                continue
            else:
                score += ELIGIBLE_POINTS
                reasons.append(said_fr("Réservé aux femmes : éligible") if only == "f"
                               else said_fr("Réservé aux hommes : éligible"))
        # Cost -----------------------------------------------------------------------------
        options = costs.get(s["id"], [])
        if options:
            cheapest = min(options, key=lambda c: (-COST_POINTS.get(c["option"], 0), c["amount"] or 0))
            score += COST_POINTS.get(cheapest["option"], 0)
            if cheapest["option"] == "free":
                reasons.append(said_fr("Coût : gratuit"))
            elif cheapest["option"] == "shared_cost":
                amount = _xof(cheapest["amount"])
                reasons.append(said_fr("Coût : participation aux frais {amount}", amount=amount) if amount
                               else said_fr("Coût : participation aux frais"))
            else:
                amount = _xof(cheapest["amount"])
                reasons.append(said_fr("Coût : payant {amount}", amount=amount) if amount
                               else said_fr("Coût : payant"))
        else:
            reasons.append(said_fr("Coût : non précisé"))
        # Language -------------------------------------------------------------------------
        if language:
            wanted = fold(language)
            spoken = languages.get(s["id"], [])
            hit = next((lg for lg in spoken if wanted in (fold(lg["code"] or ""), fold(lg["name"]))), None)
            if hit:
                score += LANGUAGE_MATCH
                reasons.append(said_fr("Langue : {name}", name=hit["name"]))
            elif spoken:
                score += LANGUAGE_MISSING
                reasons.append(said_fr("Langue demandée non proposée ({names})",
                                       names=", ".join(lg["name"] for lg in spoken)))
        # Status and freshness ---------------------------------------------------------------
        if s["status"] == "temporarily closed":
            score += CLOSED_PENALTY
            reasons.append(said_fr("Statut : temporairement fermé"))
        if s["assured_date"] is None or s["assured_date"] < stale_before:
            reasons.append(said_fr("Informations non vérifiées depuis plus de 6 mois"))
        out.append(
            Candidate(
                service_id=s["id"],
                service_name=s["name"],
                organization_id=s["organization_id"],
                organization_name=s["organization_name"],
                score=score,
                coverage=coverage,
                reasons=reasons,
                status=s["status"],
                focal_point_user_id=ref["focal_point_user_id"] if ref else None,
                referral_channel=ref["referral_channel"] if ref else None,
                response_times={k: ref[f"response_time_{k}"] for k in ("emergency", "urgent", "normal")}
                if ref
                else {},
            )
        )
    out.sort(key=lambda c: (-c.score, fold(c.service_name), c.service_id))
    return out[:limit]
