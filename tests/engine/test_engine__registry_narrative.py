"""The registry and versions registered before narrative files were stored (issue 14): the same SOP
loaded again from its folder completes the old row (files, digest) without a new version; the
same main text with a narrative that is not the folder's (a draft edited in the workbench) is a
conflict, never written into the old version. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import WorkflowEngine
from mno_workflow.engine.registry import SOPVersionConflict
from mno_workflow.sop.loader import load_file, load_text
from mno_workflow.store.base import Base, make_engine
from mno_workflow.store.models import SopVersion

from ..cli.test_cli__sop_narrative_stored import copy_bf, register_old_version


@pytest.fixture
def wf(db_url):
    db = make_engine(db_url)
    Base.metadata.create_all(db)
    yield WorkflowEngine(db, SimulatedClock(datetime(2026, 6, 2, 8, tzinfo=UTC)))
    db.dispose()


def test_registry_completes_an_old_version_only_from_its_folder(wf, tmp_path):
    main = copy_bf(tmp_path / "pos")
    vid = register_old_version(wf.sessions.kw["bind"], main)
    loaded = load_file(main)
    edited = {"narrative.yaml": loaded.files["narrative.yaml"].replace("Contexte", "Contexte révisé")}
    with pytest.raises(SOPVersionConflict):
        wf.load_sop(load_text(loaded.source, str(main), files=edited))
    with wf.sessions() as s:
        assert s.get(SopVersion, vid).files is None  # nothing written into the old version
    assert wf.load_sop(loaded) == vid
    with wf.sessions() as s:
        row = s.get(SopVersion, vid)
        assert row.files == loaded.files and row.sha256 == loaded.sha256
        assert s.scalar(select(func.count()).select_from(SopVersion)) == 1
        assert wf.registry.compiled(row).sop.narrative == ["narrative.yaml"]
    with pytest.raises(SOPVersionConflict):  # complete now: another narrative is another content
        wf.load_sop(load_text(loaded.source, str(main), files=edited))
