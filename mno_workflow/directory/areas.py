"""Administrative areas (country, regions, provinces), former names and region neighbours, read from data.

The areas are data, never code constants: ``data/bf_areas.csv`` lists Burkina Faso's 17 regions
(decrees of 2 July 2025) with their capitals, the 13 former region names as aliases, and the 47
provinces (marked ``verified=no`` until confirmed against the official text);
``data/bf_region_neighbours.csv`` lists which regions share a border. Names are looked up with
case and accents folded, so ``"kuilse"``, ``"KUILSÉ"`` and ``"Centre-Nord"`` all find Kuilsé.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from mno_workflow.store.repository import fold as fold_accents

DATA_DIR = Path(__file__).parent / "data"
DEFAULT_AREAS = DATA_DIR / "bf_areas.csv"
DEFAULT_NEIGHBOURS = DATA_DIR / "bf_region_neighbours.csv"


def fold(text: str) -> str:
    """Fold case, accents, apostrophes and separators: ``"Fada N'Gourma"`` → ``"fada n gourma"``."""
    for sep in "-_'’.,":  # before the search fold, which drops apostrophes (N'Gourma → ngourma)
        text = text.replace(sep, " ")
    return " ".join(fold_accents(text).split())


@dataclass(frozen=True)
class Area:
    """One administrative area. ``kind`` is ``country``, ``region`` or ``province``."""

    code: str
    kind: str
    name: str
    parent: str | None
    capital: str
    aliases: tuple[str, ...]
    verified: bool
    note: str = ""


@dataclass
class AreaRegistry:
    """Areas indexed by code and by folded name/alias, plus the region neighbour relation."""

    areas: dict[str, Area]
    neighbours: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_name: dict[str, list[Area]] = {}
        for area in self.areas.values():
            for name in (area.name, *area.aliases, area.code):
                self._by_name.setdefault(fold(name), []).append(area)

    @property
    def country(self) -> Area:
        return next(a for a in self.areas.values() if a.kind == "country")

    def regions(self) -> list[Area]:
        return [a for a in self.areas.values() if a.kind == "region"]

    def provinces(self) -> list[Area]:
        return [a for a in self.areas.values() if a.kind == "province"]

    def lookup(self, name: str) -> list[Area]:
        """All areas whose name, alias or code folds to ``name`` (may be several: ``Est`` → 3 regions)."""
        return list(self._by_name.get(fold(name), []))

    def resolve_regions(self, name: str) -> set[str]:
        """Region codes a case-region name designates.

        Accepts a current region name, a former region name (alias; a split former region gives
        all its successors), or a province name (gives its region), folding case and accents.
        Regions win over provinces of the same name (``Soum``). Returns an empty set if unknown.
        """
        found = self.lookup(name)
        regions = {a.code for a in found if a.kind == "region"}
        if regions:
            return regions
        return {a.parent for a in found if a.kind == "province" and a.parent}

    def coverage(self, name: str) -> tuple[str, set[str]] | None:
        """What a service-area name covers: ``("national", set())``, ``("region", {codes})``, or None.

        Province names count as covering their region.
        """
        found = self.lookup(name)
        if any(a.kind == "country" for a in found):
            return ("national", set())
        regions = self.resolve_regions(name)
        return ("region", regions) if regions else None

    def neighbours_of(self, regions: set[str]) -> set[str]:
        """Regions bordering any of ``regions``, excluding ``regions`` themselves."""
        out: set[str] = set()
        for code in regions:
            out |= self.neighbours.get(code, set())
        return out - regions


def _split(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in (text or "").split(";") if s.strip())


def read_areas(areas_path: Path = DEFAULT_AREAS, neighbours_path: Path = DEFAULT_NEIGHBOURS) -> AreaRegistry:
    """Read an area registry from the two CSV files (UTF-8). Raises ValueError on unknown codes."""
    areas: dict[str, Area] = {}
    with open(areas_path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            areas[row["code"]] = Area(
                code=row["code"],
                kind=row["kind"],
                name=row["name"],
                parent=row["parent"] or None,
                capital=row["capital"],
                aliases=_split(row["aliases"]),
                verified=row["verified"].strip().lower() in ("yes", "oui", "true", "1"),
                note=row.get("note") or "",
            )
    neighbours: dict[str, set[str]] = {}
    with open(neighbours_path, encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            a, b = row["region"], row["neighbour"]
            for code in (a, b):
                if areas.get(code) is None or areas[code].kind != "region":
                    raise ValueError(f"{neighbours_path}:{line}: unknown region code {code!r}")
            neighbours.setdefault(a, set()).add(b)
            neighbours.setdefault(b, set()).add(a)
    return AreaRegistry(areas, neighbours)


@lru_cache(maxsize=1)
def default_registry() -> AreaRegistry:
    """The Burkina Faso registry shipped with the package (read once)."""
    return read_areas()
