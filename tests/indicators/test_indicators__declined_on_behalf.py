"""Issue 18 leftover: a decline recorded on the provider's behalf (``record_decline``, answered by
phone, typed later) counts in « Référencements refusés par le prestataire » and « Besoins non
couverts faute de capacité », at the answer's time and under its reason, as the on-platform
``decline`` does; W172 says when an indicator's triggers leave out such an answer. The M&E
officer's paths: the engine's figures, ``mno export tables`` (CSV, xlsx) and the dashboard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

import mno_workflow.directory.tables  # noqa: F401  (the dir_* tables exist in every migrated database)
import mno_workflow.web.models  # noqa: F401  (the export log table)
from mno_workflow.cli import app
from mno_workflow.indicators import periods, service
from mno_workflow.sop.lint import lint
from mno_workflow.sop.loader import load_file, load_text

from ..conftest import BF_SOP
from ..engine.helpers import CW, provider, referral, to_referrals

VT = "referral:vocational_training"
SOP = load_file(BF_SOP).model


def _res(wf, code, period="2025Q2"):
    with wf.sessions() as s:
        f = service.figures(s, SOP, periods.parse(period), wf.clock.now() + timedelta(days=60),
                            with_directory=False)
    return next(r for r in f.results if r.indicator.code == code)


def _table(res, dim):
    return next(t for t in res.tables if t.dims == (dim,)).cells


def _on_behalf(at: str, reason: str = "no_capacity") -> dict:
    return {"answer_channel": "phone", "provider_contact": "Dr Kaboré", "answered_at": at, "reason": reason}


def _declines(wf, clock, n_platform: int, n_behalf: int) -> None:
    """``n_platform`` declines on the platform (no capacity) and ``n_behalf`` recorded for the
    provider (not eligible), all answered on Wed 25 June 2025; those recorded typed in July."""
    clock.set(datetime(2025, 6, 23, 10, 0, tzinfo=UTC))
    refs = [to_referrals(wf) for _ in range(n_platform + n_behalf)]
    for ref in refs:
        wf.fire(ref, "send", CW, referral("org-csps"), instance=VT)
    clock.set(datetime(2025, 6, 25, 10, 0, tzinfo=UTC))
    for ref in refs[:n_platform]:
        wf.fire(ref, "decline", provider("org-csps"), {"reason": "no_capacity"}, instance=VT)
    clock.set(datetime(2025, 7, 2, 9, 0, tzinfo=UTC))  # typed a week later, in Q3
    for ref in refs[n_platform:]:
        wf.fire(ref, "record_decline", CW, _on_behalf("2025-06-25T11:00:00Z", "not_eligible"), instance=VT)


def test_a_decline_recorded_on_behalf_counts_at_its_time_under_its_reason(wf, clock):
    _declines(wf, clock, 1, 2)
    declined = _res(wf, "REFERRALS_DECLINED")
    assert declined.total == 3  # was 1: the two declines recorded for the provider were left out
    assert _res(wf, "REFERRALS_DECLINED", "2025Q3").total == 0  # typed in July, answered in June
    reasons = _table(declined, "decline_reason")
    assert reasons == {("no_capacity",): 1, ("not_eligible",): 2}  # the reason of its own form
    unmet = _res(wf, "UNMET_NO_CAPACITY")
    assert unmet.total == 3 and _table(unmet, "decline_reason")[("not_eligible",)] == 2


def test_a_re_referral_declined_on_behalf_keeps_its_own_reason(wf, clock):
    """After an on-platform decline (no capacity) and a re-referral, the second provider's decline
    recorded for it counts under its own reason, not the first one's."""
    clock.set(datetime(2025, 6, 23, 10, 0, tzinfo=UTC))
    ref = to_referrals(wf)
    wf.fire(ref, "send", CW, referral("org-csps"), instance=VT)
    wf.fire(ref, "decline", provider("org-csps"), {"reason": "no_capacity"}, instance=VT)
    wf.fire(ref, "re_refer", CW, referral("org-oim"), instance=VT)
    clock.set(datetime(2025, 6, 24, 10, 0, tzinfo=UTC))
    wf.fire(ref, "record_decline", CW, _on_behalf("2025-06-24T09:00:00Z", "not_eligible"), instance=VT)
    reasons = _table(_res(wf, "REFERRALS_DECLINED"), "decline_reason")
    assert reasons == {("no_capacity",): 1, ("not_eligible",): 1}


@pytest.mark.parametrize(("lang", "words"), [
    ("fr", "le déclencheur 'record_decline' (enregistré pour le prestataire, effective_at) "
           "mène aussi à 'declined'"),
    ("en", "trigger 'record_decline' (recorded on behalf, effective_at) also moves to 'declined'"),
])
def test_w172_an_answer_recorded_on_behalf_left_out_of_a_count(lang, words):
    src = BF_SOP.read_text(encoding="utf-8")
    old = "events: {step: referral, triggers: [decline, record_decline]}"
    assert old in src and not [d for d in lint(load_text(src, "mnr.yaml")) if d.code == "W172"]
    bad = src.replace(old, "events: {step: referral, triggers: [decline]}", 1)
    (d,) = [d for d in lint(load_text(bad, "mnr.yaml")) if d.code == "W172"]
    assert "REFERRALS_DECLINED" in "\n".join(bad.splitlines()[d.line - 4:d.line])
    assert words in d.format(lang)


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_mno_export_tables_counts_declines_recorded_on_behalf(wf, clock, db_url, tmp_path, ext):
    _declines(wf, clock, 3, 3)  # 6 shown; the 3 on the platform alone would be « < 5 »
    out = tmp_path / f"t.{ext}"
    r = CliRunner().invoke(app, ["--db", db_url, "export", "tables", "--period", "2025Q2", "-o", str(out)])
    assert r.exit_code == 0, r.output
    if ext == "csv":
        rows = [x.split(";") for x in out.read_text(encoding="utf-8-sig").splitlines()[1:]]
    else:
        rows = [list(x) for x in load_workbook(out)["Indicateurs"].iter_rows(min_row=2, values_only=True)]
    total = next(x for x in rows if x[1] == "REFERRALS_DECLINED" and x[2] == "Total")
    assert str(total[6]) == "6"
