"""The workbench keeps the author's text byte for byte (issue 14, item 7): a version loaded from a
CRLF file opens as a CRLF draft; the text sent back by the browser (CRLF, or LF from the editor)
is stored with the draft's line ends, an unchanged text adds no revision; the published version is
the draft's text byte for byte (what ``mno sop export`` writes)."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from mno_workflow.sop.loader import load_file
from mno_workflow.store.models import SopDraft, SopVersion
from mno_workflow.web.demo_data import DemoUser, create_users

from ..conftest import BF_SOP
from ..engine.sop_variants import dump, parse
from .conftest import csrf_of


@pytest.fixture
def live(live_any):
    return live_any


def test_crlf_draft_stays_crlf_and_is_published_byte_for_byte(live, tmp_path):
    with live.wf.sessions.begin() as s:
        create_users(s, [DemoUser("auteur.pos", "Auteur POS", "sop_author")])
    doc = parse(BF_SOP.read_text(encoding="utf-8"))
    doc["version"] = "2099.1"
    (tmp_path / "pos").mkdir()
    path = tmp_path / "pos" / "mnr.yaml"
    path.write_bytes(dump(doc).replace("\n", "\r\n").encode("utf-8"))
    live.wf.load_sop(load_file(path))
    c = live.client("auteur.pos")
    home = c.get("/pos/atelier")
    r = c.post("/pos/atelier/brouillons", data={"sop_id": "mnr_bf", "csrftoken": csrf_of(home.text)})
    number = int(r.headers["location"].rsplit("/", 1)[1])

    def revisions():
        with live.wf.sessions() as s:
            q = select(SopDraft).where(SopDraft.draft == number).order_by(SopDraft.revision)
            return list(s.scalars(q))

    assert revisions()[0].source.encode("utf-8") == path.read_bytes()
    page = c.get(f"/pos/atelier/brouillons/{number}")
    csrf = csrf_of(page.text)
    shown = html.unescape(page.text.split('name="source"', 1)[1].split(">", 1)[1].split("</textarea>")[0])
    lf = shown.replace("\r\n", "\n")
    for sent in (lf, lf.replace("\n", "\r\n")):                 # the editor's LF, a browser's CRLF
        c.post(f"/pos/atelier/brouillons/{number}/enregistrer",
               data={"source": sent, "revision": "1", "csrftoken": csrf})
        assert len(revisions()) == 1                              # unchanged: no revision
    edited = lf.replace("version: '2099.1'", "version: '2099.2'").replace('version: "2099.1"',
                                                                         'version: "2099.2"')
    assert edited != lf
    r = c.post(f"/pos/atelier/brouillons/{number}/enregistrer",
               data={"source": edited, "revision": "1", "csrftoken": csrf})
    assert r.status_code == 303
    last = revisions()[-1]
    assert last.revision == 2 and last.source == edited.replace("\n", "\r\n")
    r = c.post(f"/pos/atelier/brouillons/{number}/publier", data={"go": "publish", "csrftoken": csrf})
    assert r.status_code in (200, 303), r.text[:500]
    with live.wf.sessions() as s:
        row = s.scalars(select(SopVersion).where(SopVersion.version == "2099.2")).one()
        assert row.source.encode("utf-8") == last.source.encode("utf-8") and "\r\n" in row.source
