"""Shared fixtures of the renderer tests: the small test SOPs of tests/fixtures/render/."""

from __future__ import annotations

from pathlib import Path

import pytest

from mno_workflow.sop.loader import load_file
from mno_workflow.sop.schema import SOP

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "render"




@pytest.fixture(scope="session")
def mini() -> SOP:
    return load_file(FIXTURES / "mini_mnr.yaml").model


@pytest.fixture(scope="session")
def nasty() -> SOP:
    return load_file(FIXTURES / "nasty_labels.yaml").model


@pytest.fixture(scope="session")
def all_sops(mini: SOP, nasty: SOP) -> list[SOP]:
    return [mini, nasty]
