"""HSDS 3.1 objects the product stores but does not use itself (programs, URLs, funding,
accessibility, organisation identifiers, required documents, metadata, table descriptions) and the
whole files an HSDS package carries beyond HSDS (``extension_file``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from mno_workflow.directory.row_types import DayOrInstant, Row, Text, ref


class Program(Row):
    organization_id: Text = ref("organization")
    name: Annotated[str, Field(min_length=1)]
    alternate_name: Text = None
    description: Text = None

class Url(Row):
    label: Text = None
    url: Annotated[str, Field(min_length=1)]
    organization_id: Text = ref("organization")
    service_id: Text = ref("service")


class Funding(Row):
    organization_id: Text = ref("organization")
    service_id: Text = ref("service")
    source: Text = None


class Accessibility(Row):
    location_id: Text = ref("location")
    description: Text = None
    details: Text = None
    url: Text = None


class OrganizationIdentifier(Row):
    organization_id: Text = ref("organization")
    identifier_scheme: Text = None
    identifier_type: Annotated[str, Field(min_length=1)]
    identifier: Annotated[str, Field(min_length=1)]


class RequiredDocument(Row):
    service_id: Text = ref("service")
    document: Text = None
    uri: Text = None


class Metadata(Row):
    resource_id: Text = None
    resource_type: Text = None
    last_action_date: DayOrInstant = None
    last_action_type: Text = None
    field_name: Text = None
    previous_value: Text = None
    replacement_value: Text = None
    updated_by: Text = None


class MetaTableDescription(Row):
    name: Text = None
    language: Text = None
    character_set: Text = None


class ExtensionFile(Row):
    """A file of an HSDS package that is no HSDS 3.1 table, kept whole: ``id`` is its file name,
    ``extensions`` = ``{"header": [...], "rows": [[...], ...]}`` (cells as text)."""
