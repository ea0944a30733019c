"""Errors raised while computing a deadline (engine/deadlines.py): which field is missing, holds
an unknown choice or a value that is not a date, or which cap condition cannot be evaluated. Each
has a ``code`` (API, log) and a :attr:`why` in catalogue words (any language)."""

from __future__ import annotations

from typing import Any

__all__ = [
    "CapConditionError", "DeadlineError", "InvalidStartError", "MissingFieldError", "UnknownChoiceError",
]


class DeadlineError(ValueError):
    """Base of the errors raised while computing a deadline; ``field`` is ``form.field`` or None.
    ``str(e)`` is the technical detail (English, for the log); :attr:`why` says it in words."""

    code = "deadline.error"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    @property
    def why(self) -> Any:
        """Why the deadline cannot be computed, a catalogue message (shown in any language)."""
        from mno_workflow.engine.errors import Message
        return Message.t("« {field} » ne contient pas une date", field=self.field)


class MissingFieldError(DeadlineError):
    """The field a deadline depends on (``by`` or ``start``) has no value in the case data."""

    code = "deadline.field_missing"

    def __init__(self, field: str, purpose: str) -> None:
        super().__init__(f"the deadline needs a value for {field} ({purpose}), but it is empty", field)
        self.purpose = purpose

    @property
    def why(self) -> Any:
        from mno_workflow.engine.errors import Message
        if self.purpose.startswith("it chooses"):
            return Message.t("le champ « {field} » est vide (il choisit la durée du délai)", field=self.field)
        return Message.t("le champ « {field} » est vide (le délai part de cette date)", field=self.field)


class UnknownChoiceError(DeadlineError):
    """The ``by`` field holds a value that is not one of the deadline's cases."""

    code = "deadline.unknown_choice"

    def __init__(self, field: str, value: Any, choices: list[str]) -> None:
        super().__init__(
            f"{field} is {value!r}, which the deadline does not list; expected one of {choices}", field
        )
        self.value = value
        self.choices = choices

    @property
    def why(self) -> Any:
        from mno_workflow.engine.errors import Message
        return Message.t("« {field} » vaut {value!r}, valeur absente du délai ({choices})", field=self.field,
                         value=self.value, choices=", ".join(self.choices))


class InvalidStartError(DeadlineError):
    """The ``start`` field holds something that is not a date or datetime."""

    code = "deadline.invalid_start"

    def __init__(self, field: str, value: Any) -> None:
        super().__init__(f"{field} is {value!r}: a deadline can only start at a date or datetime", field)
        self.value = value


class CapConditionError(DeadlineError):
    """A cap's ``when`` could not be evaluated on the case's data."""

    def __init__(self, condition: str, detail: str):
        super().__init__("no_later_than.when", "its condition cannot be evaluated")
        self.condition, self.detail = condition, detail
