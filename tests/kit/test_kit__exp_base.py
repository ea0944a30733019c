"""The items of a scenario's ``expect`` step share one base (:class:`mno_workflow.kit.step_specs.Exp`):
every ``*Exp`` model derives from it, and :meth:`Exp.given` lists what the author wrote in the
order the failure messages show it (``manquants : {to=…, state=…, offset=…, at=…}``)."""

from __future__ import annotations

from datetime import UTC, datetime

from mno_workflow.kit import model, step_specs
from mno_workflow.kit.step_specs import Exp, ReminderExp


def test_every_expectation_item_derives_from_the_base() -> None:
    items = {name: obj for name, obj in vars(step_specs).items()
             if name.endswith("Exp") and name != "Exp" and isinstance(obj, type)}
    assert set(items) == {"ReminderExp", "EscalationExp", "AutoFiredExp", "OutboxExp", "DeadlineExp"}
    assert all(issubclass(cls, Exp) for cls in items.values()), items
    assert model.Exp is Exp  # re-exported with the other step models


def test_given_keeps_the_declaration_order_and_leaves_out_the_unwritten() -> None:
    want = ReminderExp(at=datetime(2025, 6, 4, 9, tzinfo=UTC), offset="1 working day before", to="provider")
    assert list(want.given()) == ["to", "offset", "at"]
    assert want.given()["to"] == "provider"
