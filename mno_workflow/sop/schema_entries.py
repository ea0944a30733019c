"""SOP language: ``entries`` — other ways a case may begin than the ``start`` step (an alert
(*signalement*) filed by a first responder), who may use them, with which form, and to whom the
new case goes.

An entry names the roles that may use it (``by``), the step the case starts in (``start``) and the
transition fired at creation (``trigger``, from that step's initial state, with its ``form``: the
alert form). ``assign`` says who receives the case: the least loaded active user of role ``to``
in the region given by a choice field (``region: form.field``), else a ``fallback`` role's user of
that region, else one without region. ``prefill`` maps later forms' fields to the entry form's
fields (``identification: {sex: alert.sex}``): the caseworker's form opens with those values.
Checked by ``sop/checks/entries.py`` (E044); run by ``engine/alerts.py``.
"""

from __future__ import annotations

from pydantic import Field

from .schema_base import Ident, Label, Strict

FieldPath = Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


class EntryAssign(Strict):
    """Who receives a case opened through an entry: the active user of role ``to`` with the
    fewest open cases in the region ``region`` (a choice field ``form.field`` of the entry's
    form), ties by user id; none: a ``fallback`` user of that region, then a ``fallback`` user
    without region (national)."""

    region: str = FieldPath
    to: Ident
    fallback: Ident | None = None


class PrefillChoices(Strict):
    """A choice/multi field of a later form pre-ticked from a choice/multi field of the entry's
    form through a table of options (``source`` option → target options); unmapped source options
    tick nothing."""

    source: str = FieldPath
    options: dict[Ident, list[Ident]] = Field(min_length=1)


class Entry(Strict):
    """A way in for a case other than ``start`` (see the module text). ``name`` lists the entry
    form's fields that name the case in lists until registration (joined with spaces; the
    caseworker's form replaces them); ``describe`` a field used when they are empty."""

    label: Label
    by: list[Ident] = Field(min_length=1)
    start: Ident
    trigger: Ident
    assign: EntryAssign
    name: list[str] = []
    describe: str | None = None
    prefill: dict[Ident, dict[Ident, str]] = {}
    prefill_choices: dict[Ident, dict[Ident, PrefillChoices]] = {}
