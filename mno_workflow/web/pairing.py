"""The web side of :mod:`mno_workflow.sop.option_rules`: the options of a choice field that the
form's own rules allow, on the :class:`~mno_workflow.web.forms.FieldView` s of a form — needs by
the chosen dimension (``data-pair-with``/``data-allowed``, app.js hides the others) and only the
options a one-field rule accepts (tryout 7, J6: « Référer un besoin immédiat » offers the
immediate needs and the dimensions holding them). The server still checks the rules on submit.
"""

from __future__ import annotations

from typing import Any

from ..sop.option_rules import Pairing, offered, pairings  # noqa: F401  (pairings, offered: imported from here)
from ..sop.schema import SOP


def _limit(v: Any, codes: set[str]) -> None:
    """Drop the options of view ``v`` not in ``codes`` (its current values stay, so that a page
    drawn again after a refusal still shows what was sent)."""
    codes = codes | set(v.values)
    v.options = [(c, label) for c, label in v.options if c in codes]
    if v.allowed:
        v.allowed = {c: a for c, a in v.allowed.items() if c in codes}


def apply(sop: SOP, form_id: str, views: list) -> None:
    """Set ``pair_with`` (the HTML name of the controlling field) and ``allowed`` (option →
    space-separated allowed values) on the :class:`~mno_workflow.web.forms.FieldView` s of
    ``views`` (top level and repeat rows) that a pairing rule governs."""
    def mark(row: list, pairs: dict[str, Pairing], only: dict[str, list[str]]) -> None:
        by_id = {v.name.rsplit(".", 1)[-1]: v for v in row}
        for b_id, (a_id, allowed) in pairs.items():
            if b_id in by_id and a_id in by_id:
                by_id[b_id].pair_with = by_id[a_id].name
                by_id[b_id].allowed = {code: " ".join(vals) for code, vals in allowed.items()}
        for b_id, codes in only.items():
            if b_id in by_id:
                _limit(by_id[b_id], set(codes))
                a_id = pairs.get(b_id, ("", {}))[0]
                if a_id in by_id:  # the controlling field: only values some offered option goes with
                    _limit(by_id[a_id], {a for c in codes for a in pairs[b_id][1].get(c, [])})

    mark(views, pairings(sop, form_id), offered(sop, form_id))
    for v in views:
        if v.rows:
            pairs, only = pairings(sop, form_id, v.name), offered(sop, form_id, v.name)
            for row in v.rows:
                mark(row, pairs, only)
