"""Pictograms of the leaflets and the pocket guide come from the bundled open icon set (issue 19):
every reference resolves to a bundled SVG file, every bundled file is used, the licence ships with
them, and the documents hold the icons, no Unicode symbol standing in for one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mno_workflow.render.directory_data import find_directory, read_directory
from mno_workflow.render.directory_print import render_pocket_guide
from mno_workflow.render.leaflets import AUDIENCE_PICTOGRAMS, AUDIENCES, render_leaflet
from mno_workflow.render.narrative_text import find_narrative
from mno_workflow.render.pictograms import ICONS, PICTOGRAMS, UnknownPictogram, icon_path, pictogram
from mno_workflow.sop.loader import load_file

ROOT = Path(__file__).resolve().parents[2]
BF = ROOT / "sops" / "burkina_faso" / "mnr.yaml"
TEMPLATES = ROOT / "mno_workflow" / "render" / "templates" / "documents"
UNICODE_PICTOGRAMS = "☎✆⚖✍✉⚠☑✔★♥⌂⚕☺✚"


def test_every_template_reference_resolves_to_a_bundled_file():
    refs = []
    for path in TEMPLATES.glob("*.j2"):
        for arg in re.findall(r"pict\(([^)]*)\)", path.read_text(encoding="utf-8")):
            refs.append((path.name, arg.strip()))
    assert len(refs) >= 12
    for name, arg in refs:
        if arg.startswith('"'):
            assert icon_path(arg.strip('"')).exists(), (name, arg)
        else:  # a variable: the leaflet's audience pictogram
            assert arg == "icon", (name, arg)
    for audience in AUDIENCES:
        assert icon_path(AUDIENCE_PICTOGRAMS[audience]).exists()


def test_only_the_icons_used_are_bundled_with_their_licence():
    bundled = {p.stem for p in ICONS.glob("*.svg")}
    assert bundled == set(PICTOGRAMS.values())
    licence = (ICONS / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "Paweł Kuna" in licence
    for path in ICONS.glob("*.svg"):
        text = path.read_text(encoding="utf-8")
        assert text.lstrip().startswith("<svg") and 'viewBox="0 0 24 24"' in text, path.name


def test_an_unknown_pictogram_is_an_error():
    with pytest.raises(UnknownPictogram):
        pictogram("no_such_pictogram")


def test_pictogram_is_inline_svg_hidden_from_screen_readers():
    svg = str(pictogram("rights"))
    assert svg.startswith('<svg class="pict" data-icon="tabler:scale" aria-hidden="true"')
    assert "<path" in svg and "<!--" not in svg and 'width="24"' not in svg


@pytest.fixture(scope="module")
def documents():
    sop = load_file(BF).model
    narrative = find_narrative(sop, BF)
    out = []
    for lang in ("fr", "en"):
        directory = read_directory(find_directory(BF), lang)
        out += [render_leaflet(sop, narrative, directory, a, lang, "kadiogo") for a in AUDIENCES]
        out.append(render_pocket_guide(sop, directory, narrative, "kadiogo", lang))
    return out


def test_documents_hold_bundled_icons_and_no_unicode_symbols(documents):
    used = set()
    for html in documents:
        icons = re.findall(r'<svg class="pict" data-icon="tabler:([a-z-]+)"', html)
        assert icons, html[:200]
        for icon in icons:
            assert (ICONS / f"{icon}.svg").exists(), icon
        used |= set(icons)
        assert not [c for c in UNICODE_PICTOGRAMS if c in html]
    assert used == set(PICTOGRAMS.values())  # every bundled icon appears in some document
