"""The directory's HSDS 3.x row models of what a service offers and how it is classified: schedules,
service areas, languages, cost options, capacity (with its units), taxonomies, terms and the
attributes that link them; :mod:`.schema` gathers them with the others in ``MODELS``."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from mno_workflow.directory.row_types import (
    BYDAY,
    HHMM,
    Count,
    Day,
    DayOrInstant,
    Row,
    Text,
    _empty_to_none,
    hsds_mode,
    opt,
    ref,
)
from mno_workflow.sop.diagnostics import said_fr


class Schedule(Row):
    service_id: Text = ref("service")
    location_id: Text = ref("location")
    service_at_location_id: Text = ref("service_at_location")
    valid_from: Day = None
    valid_to: Day = None
    dtstart: Day = None
    timezone: Text = None  # HSDS: a UTC offset in hours (number); an IANA name is accepted here
    freq: Literal["WEEKLY", "MONTHLY"] | None = None
    interval: Count = None
    byday: opt(str, pattern=BYDAY) = None
    opens_at: HHMM = None
    closes_at: HHMM = None
    description: Text = None
    notes: Text = None
    until: DayOrInstant = None
    count: Count = None
    wkst: Literal["MO", "TU", "WE", "TH", "FR", "SA", "SU"] | None = None
    byweekno: Text = None
    bymonthday: Text = None
    byyearday: Text = None
    schedule_link: Text = None
    attending_type: Text = None

    @field_validator("freq", "wkst", mode="before")
    @classmethod
    def _freq_empty(cls, value: Any) -> Any:
        return _empty_to_none(value)


class ServiceArea(Row):
    service_id: Text = ref("service")
    name: Text = None
    description: Text = None
    extent_type: Text = None
    uri: Text = None
    service_at_location_id: Text = ref("service_at_location")
    extent: Text = None


class Language(Row):
    service_id: Text = ref("service")
    location_id: Text = ref("location")
    name: Text = None
    code: Text = None
    note: Text = None
    phone_id: Text = ref("phone")

    @field_validator("code")
    @classmethod
    def _iso639(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and not hsds_mode(info) and not re.fullmatch(r"[a-z]{2,3}", value):
            raise ValueError(said_fr("valeur '{value}' mal formée : {hint}", value=value,
                                     hint=said_fr("code de langue ISO 639 attendu, ex. fr, mos, dyu, ff")))
        return value


class CostOption(Row):
    service_id: Text = ref("service")
    valid_from: Day = None
    valid_to: Day = None
    option: Text = None  # HSDS free text; the mno profile's matching reads free / shared_cost / paid
    currency: Text = None
    amount: opt(float) = None
    amount_description: Text = None

    @field_validator("amount")
    @classmethod
    def _whole(cls, value: float | None) -> float | int | None:
        return int(value) if value is not None and value.is_integer() else value

    @field_validator("currency")
    @classmethod
    def _xof(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or hsds_mode(info):
            return value
        if not re.fullmatch(r"[A-Z]{3}", value):
            raise ValueError(said_fr("valeur '{value}' mal formée : {hint}", value=value,
                                     hint=said_fr("code de devise ISO 4217 attendu : XOF")))
        if value != "XOF":
            raise ValueError(said_fr("devise '{value}' non acceptée : attendu XOF (franc CFA, ISO 4217)",
                                     value=value))
        return value


class Unit(Row):
    name: Annotated[str, Field(min_length=1)]
    scheme: Text = None
    identifier: Text = None
    uri: Text = None


class ServiceCapacity(Row):
    service_id: Text = ref("service")
    unit_id: Text = ref("unit")
    maximum: Count = None
    available: Annotated[int, Field(ge=0)]
    description: Text = None
    updated: Annotated[date | datetime, Field()]

    @field_validator("available")
    @classmethod
    def _within_maximum(cls, value: int, info: ValidationInfo) -> int:
        top = info.data.get("maximum")
        if top is not None and value > top and not hsds_mode(info):
            raise ValueError(said_fr("places disponibles ({value}) supérieures au maximum ({top})",
                                     value=value, top=top))
        return value


class Taxonomy(Row):
    name: Annotated[str, Field(min_length=1)]
    description: Text = None
    uri: Text = None
    version: Text = None


class TaxonomyTerm(Row):
    code: Text = None
    name: Annotated[str, Field(min_length=1)]
    description: Text = None
    parent_id: Text = ref("taxonomy_term")
    taxonomy_id: Text = ref("taxonomy")
    language: Text = None
    taxonomy: Text = None
    term_uri: Text = None


LINK_ENTITIES = ("service", "organization", "location", "service_at_location")


class Attribute(Row):
    link_id: Text = None
    taxonomy_term_id: Text = ref("taxonomy_term")
    link_type: Text = "service_type"
    link_entity: Text = None
    value: Text = None
    label: Text = None

    @field_validator("link_entity")
    @classmethod
    def _entity(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and not hsds_mode(info) and value not in LINK_ENTITIES:
            raise ValueError(said_fr("valeur '{value}' invalide ; attendu : {expected}", value=value,
                                     expected=", ".join(LINK_ENTITIES)))
        return value
