"""``mno case fire … --data FIELD=VALUE`` reads a date-time field day first, as the pages and
``--now`` write it (« 04/12/2026 17:30 »), or ISO; a day that does not exist is refused by the
field's own message (tryout 3, F25). Table of real calendar dates."""

from __future__ import annotations

import pytest

from mno_workflow.engine.forms import coerce_cli_value
from mno_workflow.sop.loader import load_file

from ..conftest import BF_SOP

SOP = load_file(BF_SOP).model
FORM = "provider_answer"


@pytest.mark.parametrize("typed, stored", [
    ("04/12/2026 17:30", "2026-12-04T17:30"),
    ("4/12/2026 7:05", "2026-12-04T07:05"),
    ("29/02/2024 23:59", "2024-02-29T23:59"),  # a leap day
    ("04/12/2026", "2026-12-04T00:00"),  # a day alone: its midnight, as --now
    ("2026-12-04T17:30", "2026-12-04T17:30"),  # ISO as typed
    ("2026-12-04T17:30:00+01:00", "2026-12-04T17:30:00+01:00"),
    ("31/02/2026 10:00", "31/02/2026 10:00"),  # left as typed: the field says it is invalid
    ("29/02/2025 10:00", "29/02/2025 10:00"),
])
def test_a_datetime_field_reads_day_first(typed, stored):
    assert any(f.id == "answered_at" and f.type.value == "datetime" for f in SOP.forms[FORM].fields)
    assert coerce_cli_value(SOP, FORM, "answered_at", typed) == stored
