"""Set-up shared by the workbench tests: an SOP author, and a published version whose file has no
scenario folder next to it (so a renamed state does not break the shipped scenarios)."""

from __future__ import annotations

from pathlib import Path

from mno_workflow.sop.loader import load_file
from mno_workflow.web.demo_data import DemoUser, create_users

from ..conftest import BF_SOP
from ..engine.sop_variants import dump, parse


def author_and_version(live, tmp_path: Path) -> str:
    """Add user ``auteur.pos`` (sop_author) and publish a copy of the BF SOP as 2099.1 from a
    folder without scenarios. Returns ``mnr_bf@2099.1``."""
    with live.wf.sessions.begin() as s:
        create_users(s, [DemoUser("auteur.pos", "Auteur POS", "sop_author")])
    doc = parse(BF_SOP.read_text(encoding="utf-8"))
    doc["version"] = "2099.1"
    folder = tmp_path / "pos"
    folder.mkdir()
    path = folder / "mnr.yaml"
    path.write_text(dump(doc), encoding="utf-8")
    live.wf.load_sop(load_file(path))
    return "mnr_bf@2099.1"
