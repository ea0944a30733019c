"""The documents of the SOP in force take its narrative from the version as stored (issue 14),
never from the disk: with every way of reading a narrative file from the disk made to fail, the
SOP document, the training pack, the leaflets and the pocket guide of the Burkina Faso version
still build, with the published chapters and text blocks. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.render import narrative_text

from .conftest import start_server, stop_server


@pytest.fixture
def live(db_url):
    server = start_server(db_url, SimulatedClock(datetime(2025, 6, 2, 10, 0, tzinfo=UTC)))
    yield server
    stop_server(server)


def test_documents_never_read_the_narrative_from_the_disk(live, monkeypatch):
    reads: list[str] = []

    def no_disk(path):
        reads.append(str(path))
        raise AssertionError(f"narrative read from the disk: {path}")

    monkeypatch.setattr(narrative_text, "load_narrative_file", no_disk)
    live.wf.registry.forget(list(live.wf.registry._compiled))  # compiled again from the stored row
    c = live.client("mariam.kabore")
    checks = {
        "/pos/documents/document": ["Le Burkina Faso accueille chaque année", "Principes directeurs"],
        "/pos/documents/formation": ["Ne pas nuire"],
        "/pos/documents/depliants/returnees": ["Vous choisissez ce qui est partagé"],
        "/pos/documents/guide/kadiogo": ["Votre plainte est confidentielle"],
    }
    for href, texts in checks.items():
        r = c.get(href)
        assert r.status_code == 200, (href, r.status_code, r.text[:300])
        for text in texts:
            assert text in r.text.replace("&#39;", "'"), (href, text)
    assert reads == []
