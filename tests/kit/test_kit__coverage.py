"""Coverage figures on a small SOP are exact; automatic triggers on expiry are seen with their instant."""

from __future__ import annotations

from pathlib import Path

from mno_workflow.kit.runner import run

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "valid_sops" / "minimal.yaml"

SCENARIO = """\
scenario: Mini — un service servi, l'autre expire
sop: mini.yaml
start: 2025-06-02T08:00:00Z
steps:
  - create: {as: "ana:caseworker"}
  - expect:
      # the deadline depends on intake.priority, still empty: none is running
      deadline: {instance: intake, due: null}
  - fire: finish
    as: ana:caseworker
    data: {name: Ana, priority: normal, needs: [{need: housing}, {need: medical}]}
  - fire: serve
    as: ana:caseworker
    instance: service:housing
  - advance: 10 days
  - expect:
      auto_fired: [{trigger: lapse, instance: service:medical, state: pending,
                    at: 2025-06-12T08:00:00Z, ok: true}]
      reminders: []
      escalations: []
      states: {service:medical: lapsed, service:housing: served}
      case: closed
"""


def _copy_mini(tmp_path: Path) -> None:
    """The minimal SOP with its intake deadline optional. Issue 12: a deadline whose field is empty
    refuses the transition unless the SOP marks it optional; these scenarios open the case before
    intake.priority is known."""
    (tmp_path / "mini.yaml").write_text(MINI.read_text(encoding="utf-8").replace(
        "          on_expiry: {escalate: supervisor}\n",
        "          on_expiry: {escalate: supervisor}\n          optional: true\n", 1), encoding="utf-8")


def test_exact_coverage_of_a_small_sop(tmp_path):
    _copy_mini(tmp_path)
    (tmp_path / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    result = run([tmp_path])
    assert result.ok, [f.format() for s in result.scenarios for f in s.failures]
    (cov,) = result.coverage
    d = cov.as_dict()
    # States: intake.open, intake.done, service.pending, service.lapsed, service.served (5).
    assert (d["states"]["hit"], d["states"]["total"], d["states"]["percent"]) == (5, 5, 100.0)
    # Transitions: finish, serve, lapse (3), lapse fired by the sweeper.
    assert (d["transitions"]["hit"], d["transitions"]["total"]) == (3, 3)
    assert cov.edges_hit == {("intake", "open", "finish", "done"): 1,
                             ("service", "pending", "serve", "served"): 1,
                             ("service", "pending", "lapse", "lapsed"): 1}


def test_partial_coverage_lists_what_was_never_exercised(tmp_path):
    _copy_mini(tmp_path)
    text = SCENARIO.split("  - advance:")[0].replace("needs: [{need: housing}, {need: medical}]",
                                                     "needs: [{need: housing}]")
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    result = run([tmp_path / "s.yaml"])
    assert result.ok
    d = result.coverage[0].as_dict()
    assert (d["states"]["hit"], d["states"]["total"], d["states"]["percent"]) == (4, 5, 80.0)
    assert (d["transitions"]["hit"], d["transitions"]["total"], d["transitions"]["percent"]) == (2, 3, 66.7)
    assert d["states"]["missing"] == ["service.lapsed"]
    assert d["transitions"]["missing"] == [{"step": "service", "from": "pending", "trigger": "lapse",
                                            "to": "lapsed"}]
