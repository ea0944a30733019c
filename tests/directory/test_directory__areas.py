"""The area data: 17 regions with capitals, 47 provinces, former names as aliases, neighbours."""

from __future__ import annotations

from mno_workflow.directory.areas import default_registry, fold

FORMER = [
    "Boucle du Mouhoun",
    "Cascades",
    "Centre",
    "Centre-Est",
    "Centre-Nord",
    "Centre-Ouest",
    "Centre-Sud",
    "Est",
    "Hauts-Bassins",
    "Nord",
    "Plateau-Central",
    "Sahel",
    "Sud-Ouest",
]


def test_seventeen_regions_with_capitals() -> None:
    regions = {r.name: r.capital for r in default_registry().regions()}
    assert len(regions) == 17
    assert regions["Kadiogo"] == "Ouagadougou" and regions["Guiriko"] == "Bobo-Dioulasso"
    assert regions["Djôrô"] == "Gaoua" and regions["Liptako"] == "Dori"


def test_forty_seven_provinces_each_in_a_region() -> None:
    reg = default_registry()
    provinces = reg.provinces()
    assert len(provinces) == 47
    assert all(reg.areas[p.parent].kind == "region" for p in provinces)
    assert {reg.areas[p.parent].name for p in provinces} == {r.name for r in reg.regions()}


def test_every_former_region_resolves() -> None:
    reg = default_registry()
    assert all(reg.resolve_regions(name) for name in FORMER)
    assert reg.resolve_regions("Boucle du Mouhoun") == {"bankui", "sourou"}
    assert reg.resolve_regions("plateau central") == {"oubri"}
    assert reg.resolve_regions("Soum") == {"soum"}  # region wins over the province of the same name


def test_neighbours_symmetric_and_connected() -> None:
    reg = default_registry()
    codes = {r.code for r in reg.regions()}
    for code in codes:
        assert reg.neighbours[code], code
        assert all(code in reg.neighbours[n] for n in reg.neighbours[code])
    seen, todo = set(), ["kadiogo"]
    while todo:
        code = todo.pop()
        if code not in seen:
            seen.add(code)
            todo.extend(reg.neighbours[code])
    assert seen == codes


def test_fold() -> None:
    assert fold("Fada N'Gourma") == "fada n gourma"
    assert fold("  KUILSÉ ") == fold("kuilse") == "kuilse"
