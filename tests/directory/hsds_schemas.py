"""Validation of HSDS JSON against the official HSDS 3.1 schemas (vendored, CC BY-SA 4.0) with
``jsonschema`` (draft 2020-12, formats checked): one validator per object, ``$ref``s resolved locally."""

from __future__ import annotations

import json
from functools import cache

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from mno_workflow.directory.hsds31 import SCHEMA_DIR


@cache
def validator(name: str) -> Draft202012Validator:
    docs = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMA_DIR.glob("*.json")}
    docs.pop("openapi.json")
    registry = Registry().with_resources(
        (n, Resource.from_contents(d, default_specification=DRAFT202012)) for n, d in docs.items()
    )
    return Draft202012Validator(docs[f"{name}.json"], registry=registry, format_checker=FormatChecker())


def errors(name: str, obj: dict) -> list[str]:
    """Every schema error of ``obj`` as ``path: message`` (empty when valid)."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(name).iter_errors(obj)]
