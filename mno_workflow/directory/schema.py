"""The directory's HSDS 3.x objects as pydantic row models, one per CSV file, in import order.

Each model is the single definition of one HSDS object: the import validates rows with it, the
export writes its fields as columns (in this order), and ``tables.py`` derives the ``dir_*``
SQLAlchemy tables from it. Foreign keys are declared on fields with :func:`ref`. An empty CSV
cell is ``None``. Referral-specific attributes (channel, acceptance criteria, response times by
priority, focal point, sex eligibility) live in the ``service_referral`` extension table of the
``mno`` profile, one row per service.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from mno_workflow.directory.row_types import (  # noqa: F401  (re-exported)
    BYDAY,
    COST_OPTIONS,
    HHMM,
    PHONE,
    PHONE_TYPES,
    REFERRAL_CHANNELS,
    SERVICE_STATUSES,
    Count,
    Currency,
    Day,
    DayOrInstant,
    Email,
    Extensions,
    Id,
    Link,
    Phone,
    Row,
    Text,
    _empty_to_none,
    hsds_mode,
    opt,
    ref,
)
from mno_workflow.directory.schema_hsds import (
    Accessibility,
    ExtensionFile,
    Funding,
    Metadata,
    MetaTableDescription,
    OrganizationIdentifier,
    Program,
    RequiredDocument,
    Url,
)
from mno_workflow.directory.schema_service import (  # noqa: F401  (re-exported)
    LINK_ENTITIES,
    Attribute,
    CostOption,
    Language,
    Schedule,
    ServiceArea,
    ServiceCapacity,
    Taxonomy,
    TaxonomyTerm,
    Unit,
)
from mno_workflow.sop.schema_protection import ORGANIZATION_TYPES


class Organization(Row):
    name: Annotated[str, Field(min_length=1)]
    alternate_name: Text = None
    description: Annotated[str, Field(min_length=1)]
    email: Email = None
    website: Link = None
    legal_status: Text = None
    parent_organization_id: Text = ref("organization")
    note: Text = None
    # Extension (profile mno): the organisation type consent answers are mapped onto (SOP
    # ``data_protection.recipient_kinds``): government, un_agency, ngo, health_facility, private,
    # community. Empty: a referral is refused when the SOP maps recipient kinds.
    organization_type: opt(Literal[ORGANIZATION_TYPES]) = None  # type: ignore[valid-type]
    # Extension (profile mno, issue 13): whether the organisation answers referrals on the platform
    # (``yes``) or by phone, in person or e-mail (``no``: its answers are recorded on its behalf by
    # the caseworker, and its referrals show « suivi par le gestionnaire »). Empty: not known to
    # use the platform, so as ``no`` (organisations_off_platform).
    uses_platform: opt(Literal["yes", "no"]) = None  # type: ignore[valid-type]
    tax_status: Text = None
    tax_id: Text = None
    year_incorporated: opt(int) = None
    logo: Text = None
    uri: Text = None


class Location(Row):
    location_type: Literal["physical", "postal", "virtual"] = "physical"
    organization_id: Text = ref("organization")
    name: Text = None
    description: Text = None
    latitude: opt(float) = None
    longitude: opt(float) = None
    url: Text = None
    alternate_name: Text = None
    transportation: Text = None
    external_identifier: Text = None
    external_identifier_type: Text = None

    @field_validator("latitude", "longitude")
    @classmethod
    def _on_earth(cls, value: float | None, info: ValidationInfo) -> float | None:
        top = 90 if info.field_name == "latitude" else 180
        if value is not None and not hsds_mode(info) and not -top <= value <= top:
            from mno_workflow.sop.diagnostics import said_fr
            raise ValueError(said_fr("valeur {value} hors de [-{top}, {top}]", value=value, top=top))
        return value


class Address(Row):
    location_id: Text = ref("location")
    address_1: Annotated[str, Field(min_length=1)]
    city: Annotated[str, Field(min_length=1)]
    region: Text = None
    state_province: Text = None
    postal_code: Text = None
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = "BF"
    address_type: Literal["physical", "postal", "virtual"] = "physical"
    attention: Text = None
    address_2: Text = None


class Service(Row):
    organization_id: Text = ref("organization")
    name: Annotated[str, Field(min_length=1)]
    alternate_name: Text = None
    description: Text = None
    url: Link = None
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
    last_modified: DayOrInstant = None
    note: Text = None
    program_id: Text = ref("program")
    wait_time: Text = None
    fees: Text = None
    accreditations: Text = None
    licenses: Text = None
    alert: Text = None

    @field_validator("maximum_age")
    @classmethod
    def _ages_ordered(cls, value: int | None, info: Any) -> int | None:
        low = info.data.get("minimum_age")
        if value is not None and low is not None and value < low:
            from mno_workflow.sop.diagnostics import said_fr
            raise ValueError(said_fr("âge maximum {high} inférieur à l'âge minimum {low}",
                                     high=value, low=low))
        return value


class ServiceAtLocation(Row):
    service_id: Text = ref("service")
    location_id: Text = ref("location")
    description: Text = None


class Contact(Row):
    organization_id: Text = ref("organization")
    service_id: Text = ref("service")
    location_id: Text = ref("location")
    name: Text = None
    title: Text = None
    department: Text = None
    email: Email = None
    service_at_location_id: Text = ref("service_at_location")


def _possible_e164(text: str, region: str = "BF") -> bool:
    """Whether ``text`` parses as a phone number of a possible length for its country
    (``phonenumbers.is_possible_number``; national numbers read in ``region``)."""
    import phonenumbers
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse(text, region))
    except phonenumbers.NumberParseException:
        return False


class PhoneRow(Row):
    location_id: Text = ref("location")
    service_id: Text = ref("service")
    organization_id: Text = ref("organization")
    contact_id: Text = ref("contact")
    number: Phone
    extension: Text = None
    type: Text = "voice"
    description: Text = None
    service_at_location_id: Text = ref("service_at_location")

    @field_validator("number")
    @classmethod
    def _dialable(cls, value: str, info: ValidationInfo) -> str:
        """The product's own packages: a dialable number that ``phonenumbers`` accepts as an
        E.164 number (international ``+226…``, or national, read as Burkina Faso); the official
        HSDS packages keep their numbers as written."""
        if not hsds_mode(info) and not (re.fullmatch(PHONE, value) and _possible_e164(value)):
            from mno_workflow.sop.diagnostics import said_fr
            raise ValueError(said_fr("valeur '{value}' mal formée : numéro de téléphone E.164 attendu, "
                                     "ex. +226 70 12 34 56", value=value))
        return value

    @field_validator("type")
    @classmethod
    def _phone_type(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and not hsds_mode(info) and value not in PHONE_TYPES:
            from mno_workflow.sop.diagnostics import said_fr
            raise ValueError(said_fr("valeur '{value}' invalide ; attendu : {expected}", value=value,
                                     expected=", ".join(PHONE_TYPES)))
        return value


DURATION = r"^\d+ (hours|days|working days)$"


class ServiceReferral(Row):
    """Extension (profile ``mno``): what a referral to this service needs."""

    service_id: Text = ref("service")
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

    @field_validator("expires_on")
    @classmethod
    def _ends_after_signature(cls, value: date | None, info: Any) -> date | None:
        """An agreement cannot end before it was signed (tryout 3, F36): on every path that sets
        ``expires_on`` (web, ``mno directory agreement add/end``, a directory import)."""
        signed = info.data.get("signed_on")
        if value is not None and signed is not None and value < signed:
            from mno_workflow.sop.diagnostics import said_fr
            raise ValueError(said_fr("la fin de validité ne peut pas précéder la signature de l'accord"))
        return value


# Import order (parents before children). The key is the HSDS object name and CSV file stem.
MODELS: dict[str, type[Row]] = {
    "organization": Organization,
    "program": Program,
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
    "url": Url,
    "funding": Funding,
    "accessibility": Accessibility,
    "organization_identifier": OrganizationIdentifier,
    "required_document": RequiredDocument,
    "metadata": Metadata,
    "meta_table_description": MetaTableDescription,
    "extension_file": ExtensionFile,
}

# Columns the ``mno`` profile requires though HSDS 3.1 does not (checked outside HSDS mode).
PROFILE_REQUIRED: dict[str, tuple[str, ...]] = {
    "address": ("location_id",),
    "service": ("organization_id",),
    "service_at_location": ("service_id", "location_id"),
    "service_area": ("service_id", "name"),
    "language": ("name",),
    "cost_option": ("service_id", "option"),
    "service_capacity": ("service_id", "unit_id"),
    "taxonomy_term": ("code",),
    "attribute": ("link_id", "taxonomy_term_id", "link_entity"),
    "service_referral": ("service_id",),
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
