"""Issue 20, P-codes of the DHIS2 example mapping: every region's ``pcode`` is an OCHA COD-AB
region code of Burkina Faso (the pre-2025 region it comes from), checked against the P-code list
shipped with its source; an unknown ``BF…`` P-code is refused with file:line:col (D007)."""

from __future__ import annotations

import pytest

from mno_workflow.indicators import dhis2
from mno_workflow.sop.diagnostics import SOPError

from ..conftest import ROOT

EXAMPLE = ROOT / "sops" / "burkina_faso" / "dhis2.example.yaml"
# 2025 region -> name of the pre-2025 region (COD-AB) it comes from (decree of 2 July 2025)
FORMER = {
    "bankui": "Boucle du Mouhoun",
    "sourou": "Boucle du Mouhoun",
    "djoro": "Sud-Ouest",
    "goulmou": "Est",
    "sirba": "Est",
    "tapoa": "Est",
    "guiriko": "Hauts-Bassins",
    "kadiogo": "Centre",
    "kuilse": "Centre-Nord",
    "liptako": "Sahel",
    "soum": "Sahel",
    "nando": "Centre-Ouest",
    "nakambe": "Centre-Est",
    "nazinon": "Centre-Sud",
    "oubri": "Plateau-Central",
    "tannounyan": "Cascades",
    "yaadga": "Nord",
}


def test_pcode_table_has_13_regions_and_45_provinces():
    codes = dhis2.cod_pcodes()
    regions = {c for c, (lvl, _n, _p) in codes.items() if lvl == 1}
    provinces = {c: p for c, (lvl, _n, p) in codes.items() if lvl == 2}
    assert len(regions) == 13 and len(provinces) == 45
    assert set(provinces.values()) == regions  # every province under a listed region
    assert codes["BF13"][1] == "Centre" and codes["BF1300"][1] == "Kadiogo"


def test_example_mapping_uses_the_former_regions_codes(bf_loaded):
    m = dhis2.load_mapping(EXAMPLE, bf_loaded.model)
    codes = dhis2.cod_pcodes()
    got = {region: codes[ou.pcode][1] for region, ou in m.org_units.items()}
    assert got == FORMER
    assert {codes[ou.pcode][0] for ou in m.org_units.values()} == {1}


def test_unknown_pcode_is_refused_with_its_position(bf_loaded, tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8").replace("pcode: BF54", "pcode: BF99")
    path = tmp_path / "dhis2.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SOPError) as e:
        dhis2.load_mapping(path, bf_loaded.model)
    (d,) = [d for d in e.value.diagnostics if d.code == "D007"]
    assert "BF99" in text.splitlines()[d.line - 1] and "BF99" in d.message
