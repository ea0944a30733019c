"""The directory's HSDS 3.x objects as pydantic row models, one per CSV file, in import order.

Each model is the single definition of one HSDS object: the import validates rows with it, the
export writes its fields as columns (in this order), and ``tables.py`` derives the ``dir_*``
SQLAlchemy tables from it. Foreign keys are declared on fields with :func:`ref`. An empty CSV
cell is ``None``. Referral-specific attributes (channel, acceptance criteria, response times by
priority, focal point, sex eligibility) live in the ``service_referral`` extension table of the
``mno`` profile, one row per service.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from mno_workflow.sop.schema_protection import ORGANIZATION_TYPES

SERVICE_STATUSES = ("active", "inactive", "defunct", "temporarily closed")
COST_OPTIONS = ("free", "shared_cost", "paid")
REFERRAL_CHANNELS = ("system", "phone", "email", "in_person")


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


Id = Annotated[str, BeforeValidator(_empty_to_none), Field(min_length=1, max_length=100)]
Text = opt(str)
Count = opt(int, ge=0)
Day = opt(date)
HHMM = opt(str, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
Phone = Annotated[str, BeforeValidator(_empty_to_none), Field(pattern=r"^\+?[0-9][0-9 ]{5,19}$")]
Currency = opt(str, pattern=r"^[A-Z]{3}$")
Email = opt(str, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Links shown in pages: only web, e-mail and telephone links (never javascript:, data:, file:…).
Url = opt(str, pattern=r"^(?i:https?://|mailto:|tel:)\S+$", max_length=500)


class Row(BaseModel):
    """Base of every row model: unknown columns are refused; values are validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, str_strip_whitespace=False)
    id: Id


class Organization(Row):
    name: Annotated[str, Field(min_length=1)]
    alternate_name: Text = None
    description: Annotated[str, Field(min_length=1)]
    email: Email = None
    website: Url = None
    legal_status: Text = None
    parent_organization_id: Text = ref("organization")
    note: Text = None
    # Extension (profile mno): the organisation type consent answers are mapped onto (SOP
    # ``data_protection.recipient_kinds``): government, un_agency, ngo, health_facility, private,
    # community. Empty: a referral is refused when the SOP maps recipient kinds.
    organization_type: opt(Literal[ORGANIZATION_TYPES]) = None  # type: ignore[valid-type]


class Location(Row):
    location_type: Literal["physical", "postal", "virtual"] = "physical"
    organization_id: Text = ref("organization")
    name: Text = None
    description: Text = None
    latitude: opt(float, ge=-90, le=90) = None
    longitude: opt(float, ge=-180, le=180) = None


class Address(Row):
    location_id: Annotated[str, Field(min_length=1)] = ref("location", required=True)
    address_1: Annotated[str, Field(min_length=1)]
    city: Annotated[str, Field(min_length=1)]
    region: Text = None
    state_province: Text = None
    postal_code: Text = None
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = "BF"
    address_type: Literal["physical", "postal", "virtual"] = "physical"


class Service(Row):
    organization_id: Annotated[str, Field(min_length=1)] = ref("organization", required=True)
    name: Annotated[str, Field(min_length=1)]
    alternate_name: Text = None
    description: Text = None
    url: Url = None
    email: Email = None
    status: Literal[SERVICE_STATUSES]  # type: ignore[valid-type]
    interpretation_services: Text = None
    application_process: Text = None
    fees_description: Text = None
    eligibility_description: Text = None
    minimum_age: opt(int, ge=0, le=130) = None
    maximum_age: opt(int, ge=0, le=130) = None
    assured_date: Day = None  # HSDS: date the information was last checked (our "last verified")
    assurer_email: Email = None
    last_modified: Day = None
    note: Text = None

    @field_validator("maximum_age")
    @classmethod
    def _ages_ordered(cls, value: int | None, info: Any) -> int | None:
        low = info.data.get("minimum_age")
        if value is not None and low is not None and value < low:
            raise ValueError(f"âge maximum {value} inférieur à l'âge minimum {low}")
        return value


class ServiceAtLocation(Row):
    service_id: Annotated[str, Field(min_length=1)] = ref("service", required=True)
    location_id: Annotated[str, Field(min_length=1)] = ref("location", required=True)
    description: Text = None


class Contact(Row):
    organization_id: Text = ref("organization")
    service_id: Text = ref("service")
    location_id: Text = ref("location")
    name: Text = None
    title: Text = None
    department: Text = None
    email: Email = None


class PhoneRow(Row):
    location_id: Text = ref("location")
    service_id: Text = ref("service")
    organization_id: Text = ref("organization")
    contact_id: Text = ref("contact")
    number: Phone
    extension: Text = None
    type: Literal["text", "voice", "fax", "cell", "video", "pager", "textphone"] = "voice"
    description: Text = None


class Schedule(Row):
    service_id: Text = ref("service")
    location_id: Text = ref("location")
    service_at_location_id: Text = ref("service_at_location")
    valid_from: Day = None
    valid_to: Day = None
    dtstart: Day = None
    timezone: Text = None
    freq: Literal["WEEKLY", "MONTHLY"] | None = None
    interval: Count = None
    byday: opt(str, pattern=r"^(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*$") = None
    opens_at: HHMM = None
    closes_at: HHMM = None
    description: Text = None
    notes: Text = None

    @field_validator("freq", mode="before")
    @classmethod
    def _freq_empty(cls, value: Any) -> Any:
        return _empty_to_none(value)


class ServiceArea(Row):
    service_id: Annotated[str, Field(min_length=1)] = ref("service", required=True)
    name: Annotated[str, Field(min_length=1)]
    description: Text = None
    extent_type: Text = None
    uri: Text = None


class Language(Row):
    service_id: Text = ref("service")
    location_id: Text = ref("location")
    name: Annotated[str, Field(min_length=1)]
    code: opt(str, pattern=r"^[a-z]{2,3}$") = None
    note: Text = None


class CostOption(Row):
    service_id: Annotated[str, Field(min_length=1)] = ref("service", required=True)
    valid_from: Day = None
    valid_to: Day = None
    option: Literal[COST_OPTIONS]  # type: ignore[valid-type]
    currency: Currency = None
    amount: Count = None  # whole francs: XOF has no minor unit
    amount_description: Text = None

    @field_validator("currency")
    @classmethod
    def _xof(cls, value: str | None) -> str | None:
        if value is not None and value != "XOF":
            raise ValueError(f"devise '{value}' non acceptée : attendu XOF (franc CFA, ISO 4217)")
        return value


class Unit(Row):
    name: Annotated[str, Field(min_length=1)]
    scheme: Text = None
    identifier: Text = None


class ServiceCapacity(Row):
    service_id: Annotated[str, Field(min_length=1)] = ref("service", required=True)
    unit_id: Annotated[str, Field(min_length=1)] = ref("unit", required=True)
    maximum: Count = None
    available: Annotated[int, Field(ge=0)]
    description: Text = None
    updated: Annotated[date, Field()]

    @field_validator("available")
    @classmethod
    def _within_maximum(cls, value: int, info: Any) -> int:
        top = info.data.get("maximum")
        if top is not None and value > top:
            raise ValueError(f"places disponibles ({value}) supérieures au maximum ({top})")
        return value


class Taxonomy(Row):
    name: Annotated[str, Field(min_length=1)]
    description: Text = None
    uri: Text = None
    version: Text = None


class TaxonomyTerm(Row):
    code: Annotated[str, Field(min_length=1)]
    name: Annotated[str, Field(min_length=1)]
    description: Text = None
    parent_id: Text = ref("taxonomy_term")
    taxonomy_id: Text = ref("taxonomy")
    language: Text = None


LINK_ENTITIES = ("service", "organization", "location", "service_at_location")


class Attribute(Row):
    link_id: Annotated[str, Field(min_length=1)]
    taxonomy_term_id: Annotated[str, Field(min_length=1)] = ref("taxonomy_term", required=True)
    link_type: Annotated[str, Field(min_length=1)] = "service_type"
    link_entity: Literal[LINK_ENTITIES]  # type: ignore[valid-type]
    value: Text = None
    label: Text = None


DURATION = r"^\d+ (hours|days|working days)$"


class ServiceReferral(Row):
    """Extension (profile ``mno``): what a referral to this service needs."""

    service_id: Annotated[str, Field(min_length=1)] = ref("service", required=True)
    referral_channel: Literal[REFERRAL_CHANNELS]  # type: ignore[valid-type]
    acceptance_criteria: Text = None
    response_time_emergency: opt(str, pattern=DURATION) = None
    response_time_urgent: opt(str, pattern=DURATION) = None
    response_time_normal: opt(str, pattern=DURATION) = None
    focal_point_user_id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")]
    eligible_sex: Literal["f", "m"] | None = None

    @field_validator("eligible_sex", mode="before")
    @classmethod
    def _sex_empty(cls, value: Any) -> Any:
        return _empty_to_none(value)


CODES = opt(str, pattern=r"^[a-z][a-z0-9_]*( [a-z][a-z0-9_]*)*$")


class SharingAgreement(Row):
    """Extension (profile ``mno``): a data-sharing agreement (MoU) an organisation signed.

    ``data_categories`` and ``purposes`` are space-separated codes of the SOP's option lists;
    ``expires_on`` is the last day of validity (empty: no expiry)."""

    organization_id: Annotated[str, Field(min_length=1)] = ref("organization", required=True)
    signed_on: date
    agreement_version: Annotated[str, Field(min_length=1, max_length=32)]
    data_categories: CODES = None
    purposes: CODES = None
    expires_on: Day = None
    focal_point_name: Text = None
    focal_point_email: Email = None


# Import order (parents before children). The key is the HSDS object name and CSV file stem.
MODELS: dict[str, type[Row]] = {
    "organization": Organization,
    "location": Location,
    "address": Address,
    "service": Service,
    "service_at_location": ServiceAtLocation,
    "contact": Contact,
    "phone": PhoneRow,
    "schedule": Schedule,
    "service_area": ServiceArea,
    "language": Language,
    "cost_option": CostOption,
    "unit": Unit,
    "service_capacity": ServiceCapacity,
    "taxonomy": Taxonomy,
    "taxonomy_term": TaxonomyTerm,
    "attribute": Attribute,
    "service_referral": ServiceReferral,
    "sharing_agreement": SharingAgreement,
}

# Tables whose rows may point at rows of the same table (parents are written first).
SELF_REFS = {"organization": "parent_organization_id", "taxonomy_term": "parent_id"}


def foreign_keys(name: str) -> dict[str, str]:
    """``{column: referenced table}`` for the HSDS object ``name``."""
    out = {}
    for col, info in MODELS[name].model_fields.items():
        extra = info.json_schema_extra
        if isinstance(extra, dict) and "fk" in extra:
            out[col] = str(extra["fk"])
    return out


def required_columns(name: str) -> list[str]:
    """Columns that must be present in the file header of ``name``."""
    return [c for c, info in MODELS[name].model_fields.items() if info.is_required()]
