"""Fixtures for the directory tests: a real SQLite file per test and a small package builder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from mno_workflow.directory import DirAudit
from mno_workflow.directory.hsds_io import apply_rows, dump_tables, rows_from_mapping
from mno_workflow.store.base import Base, make_engine

FIXTURES = Path(__file__).parent / "fixtures"
MINIMAL = FIXTURES / "minimal"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = make_engine(f"sqlite:///{tmp_path}/t.db")
    Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as s:
        yield s


def snapshot(session: Session) -> tuple[dict[str, list[dict[str, Any]]], int]:
    """Everything in the directory plus the number of audit rows."""
    return dump_tables(session), session.scalar(select(func.count()).select_from(DirAudit))


SERVICE_TYPES = [
    "shelter",
    "cash_assistance",
    "vocational_training",
    "mental_health_psychosocial",
    "legal_aid",
]


class Builder:
    """Collects rows for a test directory, then imports them with ``apply_rows``."""

    def __init__(self) -> None:
        self.data: dict[str, list[dict[str, Any]]] = {
            "organization": [{"id": "org-t", "name": "Org test", "description": "Données fictives"}],
            "taxonomy": [{"id": "tax", "name": "Types"}],
            "taxonomy_term": [
                {"id": f"term-{t}", "code": t, "name": t, "taxonomy_id": "tax"} for t in SERVICE_TYPES
            ],
            "unit": [{"id": "unit-place", "name": "place"}],
        }

    def service(
        self,
        sid: str,
        types: str = "shelter",
        areas: str = "Kadiogo",
        *,
        status: str = "active",
        min_age: int | None = None,
        max_age: int | None = None,
        sex: str | None = None,
        cost: str = "free",
        amount: int | None = None,
        available: int | None = None,
        languages: str = "",
        assured: str = "2026-10-01",
    ) -> None:
        add = self.data.setdefault
        add("service", []).append(
            {
                "id": sid,
                "organization_id": "org-t",
                "name": f"Service {sid}",
                "status": status,
                "minimum_age": min_age,
                "maximum_age": max_age,
                "assured_date": assured,
            }
        )
        for i, area in enumerate(areas.split(";")):
            add("service_area", []).append({"id": f"{sid}-area{i}", "service_id": sid, "name": area})
        for t in types.split(";"):
            add("attribute", []).append(
                {
                    "id": f"{sid}-{t}",
                    "link_id": sid,
                    "taxonomy_term_id": f"term-{t}",
                    "link_entity": "service",
                }
            )
        add("cost_option", []).append(
            {
                "id": f"{sid}-cost",
                "service_id": sid,
                "option": cost,
                "currency": "XOF" if amount else None,
                "amount": amount,
            }
        )
        if available is not None:
            add("service_capacity", []).append(
                {
                    "id": f"{sid}-cap",
                    "service_id": sid,
                    "unit_id": "unit-place",
                    "maximum": 50,
                    "available": available,
                    "updated": "2026-10-01",
                }
            )
        for code in filter(None, languages.split(";")):
            add("language", []).append({"id": f"{sid}-{code}", "service_id": sid, "name": code, "code": code})
        add("service_referral", []).append(
            {
                "id": f"{sid}-ref",
                "service_id": sid,
                "referral_channel": "system",
                "focal_point_user_id": "focal.t",
                "eligible_sex": sex,
            }
        )

    def load(self, session: Session) -> None:
        sources, problems = rows_from_mapping(self.data)
        assert not problems
        apply_rows(session, sources, actor="test")
        session.commit()


@pytest.fixture
def build() -> Builder:
    return Builder()
