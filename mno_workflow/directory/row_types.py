"""Field types and the base row model shared by the directory's HSDS row models (``schema.py``,
``schema_hsds.py``): empty cell → None, optional constrained values, references between objects,
HSDS 3.1 times and date-times, the ``extensions`` JSON object, and HSDS vs ``mno`` profile rules."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo

from mno_workflow.i18n import N_

SERVICE_STATUSES = ("active", "inactive", "defunct", "temporarily closed")
COST_OPTIONS = ("free", "shared_cost", "paid")
REFERRAL_CHANNELS = ("system", "phone", "email", "in_person")
#: How a service takes referrals (``referral_channel``) in words: French message ids (the printed
#: directory, ``mno directory search``).
CHANNEL_WORDS = {
    "system": N_("par la plateforme"),
    "phone": N_("par téléphone"),
    "email": N_("par courriel"),
    "in_person": N_("en personne"),
    "paper": N_("fiche papier"),
}
PHONE_TYPES = ("text", "voice", "fax", "cell", "video", "pager", "textphone")


def _empty_to_none(value: Any) -> Any:
    if isinstance(value, str) and value.strip() == "":
        return None
    return value


def ref(table: str, *, required: bool = False) -> Any:
    """A field holding the id of a row of ``table`` (checked at import)."""
    return Field(... if required else None, json_schema_extra={"fk": table})


def opt(kind: Any, **constraints: Any) -> Any:
    """An optional ``kind`` (empty cell → None) whose non-empty values satisfy ``constraints``."""
    inner = Annotated[kind, Field(**constraints)] if constraints else kind
    return Annotated[inner | None, BeforeValidator(_empty_to_none)]


def hsds_mode(info: ValidationInfo) -> bool:
    """Whether the row comes from an HSDS 3.1 package (HSDS rules only, not the ``mno`` profile's)."""
    return bool(info.context and info.context.get("hsds"))


def _json_object(value: Any) -> Any:
    value = _empty_to_none(value)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            from mno_workflow.directory.read_words import json_error
            from mno_workflow.sop.diagnostics import said_fr
            raise ValueError(said_fr("objet JSON attendu : {error}", error=json_error(exc))) from None
    return value


Id = Annotated[str, BeforeValidator(_empty_to_none), Field(min_length=1, max_length=100)]
Text = opt(str)
Count = opt(int, ge=0)
Day = opt(date)
# HSDS 3.1 times: HH:MM or HH:MM:SS, optionally with Z or a UTC offset (``10:00:00``, ``09:00-05:00``).
HHMM = opt(str, pattern=r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)?$")
# A date, or an HSDS date-time (``2024-09-25T14:23:06.5+01:00``), kept as given.
DayOrInstant = opt(date | datetime)
# RFC 5545 BYDAY, with an optional occurrence for MONTHLY (``2MO``, ``-1FR``).
BYDAY = r"^([+-]?[1-5]?(MO|TU|WE|TH|FR|SA|SU))(,[+-]?[1-5]?(MO|TU|WE|TH|FR|SA|SU))*$"
Extensions = Annotated[dict[str, Any] | None, BeforeValidator(_json_object)]
PHONE = r"^\+?[0-9][0-9 ]{5,19}$"
Phone = Annotated[str, BeforeValidator(_empty_to_none), Field(min_length=1)]
Currency = opt(str, pattern=r"^[A-Z]{3}$")
Email = opt(str, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Links shown in pages: only web, e-mail and telephone links (never javascript:, data:, file:…).
Link = opt(str, pattern=r"^(?i:https?://|mailto:|tel:)\S+$", max_length=500)


class Row(BaseModel):
    """Base of every row model: unknown columns are refused; values are validated on assignment.

    ``extensions`` (JSON object or None) keeps what an HSDS package carries beyond these fields:
    extra columns by name, and under ``"hsds:unresolved"`` the references (``{column: id}``) to
    objects absent from the directory. Validation context ``{"hsds": True}`` applies HSDS 3.1
    rules only; without it the ``mno`` profile's stricter rules apply too (see ``_PROFILE_REQUIRED``).
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True, str_strip_whitespace=False)
    id: Id
    extensions: Extensions = None


