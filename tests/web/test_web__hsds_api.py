"""The read-only HSDS 3.1 API (``/hsds/...``) on a live server with the sample directory: paged
lists in the official ``Page`` envelope, objects valid against the official schemas, lookup by
UUID or slug, 404 in JSON, no sign-in needed and nothing but GET."""

from __future__ import annotations

import uuid

import pytest

from mno_workflow.directory.hsds31 import NAMESPACE

from ..directory.hsds_schemas import errors


def test_hsds_api_lists_and_shows_valid_objects(live_module) -> None:
    c = live_module.client()
    meta = c.get("/hsds/")
    assert meta.status_code == 200 and meta.json()["version"] == "3.1"
    page = c.get("/hsds/services", params={"per_page": 10}).json()
    assert (page["total_items"], page["total_pages"], page["size"]) == (29, 3, 10)
    assert page["first_page"] and not page["last_page"] and not page["empty"]
    last = c.get("/hsds/services", params={"per_page": 10, "page": 3}).json()
    assert last["size"] == 9 and last["last_page"]
    for obj in page["contents"]:
        assert errors("service", obj) == []
    one = c.get(f"/hsds/services/{page['contents'][0]['id']}")
    assert one.status_code == 200 and one.json() == page["contents"][0]
    by_slug = c.get("/hsds/organizations/org-oim")
    orgs = c.get("/hsds/organizations", params={"per_page": 100}).json()["contents"]
    assert all(errors("organization", o) == [] for o in orgs)
    assert by_slug.status_code == 200
    assert by_slug.json()["id"] == str(uuid.uuid5(NAMESPACE, "organization/org-oim"))
    assert c.get(f"/hsds/organizations/{by_slug.json()['id']}").json() == by_slug.json()
    for path in ("taxonomies", "taxonomy_terms", "service_at_locations"):
        listing = c.get(f"/hsds/{path}")
        assert listing.status_code == 200 and listing.json()["total_items"] > 0, path


def test_hsds_api_unknown_id_and_writes(live_module) -> None:
    c = live_module.client()
    missing = c.get(f"/hsds/services/{uuid.uuid4()}")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert c.post("/hsds/services", json={}).status_code == 405
    assert c.get("/hsds/services", params={"page": 0}).status_code == 422


@pytest.mark.parametrize("lang, words, other", [
    ("fr", ["service introuvable : x", "page ≥ 1 et 1 ≤ per_page", "format : json ou ndjson",
            "date-heure ISO 8601 avec fuseau attendue", "Jeton invalide"], " / "),
    ("en", ["service not found: x", "page ≥ 1 and 1 ≤ per_page", "format: json or ndjson",
            "an ISO 8601 date-time with offset expected", "Invalid, expired or revoked token"], "attendu"),
])
def test_hsds_api_errors_in_the_accept_language(live_module, lang, words, other) -> None:
    """Each error message in one language, the request's Accept-Language (issue 18: was « fr / en »)."""
    c = live_module.client()
    head = {"Accept-Language": lang}
    said = [c.get("/hsds/services/x", headers=head).json()["message"],
            c.get("/hsds/services", params={"page": 0}, headers=head).json()["message"],
            c.get("/hsds/services", params={"format": "xml"}, headers=head).json()["message"],
            c.get("/hsds/services", params={"modified_after": "hier"}, headers=head).json()["message"],
            c.get("/hsds/services", headers={**head, "Authorization": "Bearer nope"}).json()["message"]]
    for text, word in zip(said, words, strict=True):
        assert word in text and other not in text, (word, text)


# -- official filters and paging (issue 21) ----------------------------------------------------------

def _official_params(path: str) -> set[str]:
    """The query parameters of ``path`` in the official HSDS 3.1 openapi.json (shipped copy)."""
    import json

    from mno_workflow.directory.hsds31 import SCHEMA_DIR
    doc = json.loads((SCHEMA_DIR / "openapi.json").read_text(encoding="utf-8"))
    names = set()
    for p in doc["paths"][path]["get"].get("parameters", []):
        if "$ref" in p:
            p = doc["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]]
        if p["in"] == "query":
            names.add(p["name"])
    return names


def test_hsds_openapi_lists_every_official_parameter(live_module) -> None:
    c = live_module.client()
    doc = c.get("/hsds/openapi.json").json()
    for path in ("/services", "/organizations", "/taxonomies", "/taxonomy_terms", "/service_at_locations"):
        ours = {p["name"] for p in doc["paths"][f"/hsds{path}"]["get"]["parameters"]}
        official = _official_params(path)
        assert official and official <= ours, (path, official - ours)
    ops = {op["operationId"] for item in doc["paths"].values() for op in item.values()}
    assert {"getPaginatedListOfServices", "getFullyNestedServiceById", "getAPIMetaInformation",
            "getPaginatedListOfServiceAtLocation"} <= ops


def test_hsds_filters(live_module) -> None:
    c = live_module.client()
    every = c.get("/hsds/services", params={"per_page": 500}).json()["contents"]
    by_org = c.get("/hsds/services", params={"organization_id": "org-oim", "per_page": 500}).json()
    oim = str(uuid.uuid5(NAMESPACE, "organization/org-oim"))
    assert by_org["total_items"] == len([s for s in every if s["organization_id"] == oim]) > 0
    same = c.get("/hsds/services", params={"organization_id": oim}).json()
    assert same["total_items"] == by_org["total_items"]
    # search: case- and accent-insensitive, in names and descriptions
    name = every[0]["name"]
    word = max(name.split(), key=len)
    found = c.get("/hsds/services", params={"search": word.upper()}).json()["contents"]
    assert every[0]["id"] in {s["id"] for s in found} and len(found) < len(every)
    # taxonomy term by id or code; taxonomy
    term = every[0]["attributes"][0]["taxonomy_term"]
    by_term = c.get("/hsds/services", params={"taxonomy_term_id": term["id"], "per_page": 500}).json()
    by_code = c.get("/hsds/services", params={"taxonomy_term_id": term["code"], "per_page": 500}).json()
    assert by_term["total_items"] == by_code["total_items"] >= 1
    assert all(any(a["taxonomy_term_id"] == term["id"] for a in s["attributes"]) for s in by_term["contents"])
    by_tax = c.get("/hsds/services", params={"taxonomy_id": term["taxonomy_id"], "per_page": 500}).json()
    assert by_tax["total_items"] == len([s for s in every if s["attributes"]])
    terms = c.get("/hsds/taxonomy_terms",
                  params={"taxonomy_id": term["taxonomy_id"], "top_only": True}).json()
    assert terms["total_items"] >= 1
    # modified_after against the directory's audit; minimal
    def count(**params) -> int:
        return c.get("/hsds/services", params=params).json()["total_items"]
    assert count(modified_after="2999-01-01T00:00:00Z") == 0
    assert count(modified_after="2000-01-01") == len(every)
    bad = c.get("/hsds/services", params={"modified_after": "hier"})
    assert bad.status_code == 422 and "modified_after" in bad.json()["errors"]
    mini = c.get("/hsds/services", params={"minimal": True, "per_page": 2}).json()["contents"]
    assert set(mini[0]) == {"id", "modified_date"} and mini[0]["modified_date"]
    # service at locations of one organization; ndjson streams everything without paging
    sal = c.get("/hsds/service_at_locations", params={"organization_id": "org-oim", "per_page": 500}).json()
    assert sal["total_items"] >= 1
    assert {x["service_id"] for x in sal["contents"]} <= {s["id"] for s in by_org["contents"]}
    nd = c.get("/hsds/services", params={"format": "ndjson"})
    assert nd.headers["content-type"].startswith("application/x-ndjson")
    assert len(nd.text.strip().splitlines()) == len(every)
    assert c.get("/hsds/service_at_locations", params={"proximity": "1000"}).status_code == 422
    assert c.get("/hsds/services", params={"format": "xml"}).status_code == 422


def test_hsds_openapi_declares_the_optional_bearer_and_is_a_valid_document(live_module) -> None:
    """Clients see that a bearer token is accepted but not required (``security: [{}, bearer]``),
    and what a refused token answers (401); the document passes openapi-spec-validator (OpenAPI
    3.1 schema and semantic checks)."""
    from openapi_spec_validator import validate

    doc = live_module.client().get("/hsds/openapi.json").json()
    validate(doc)
    scheme = doc["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    ops = [op for item in doc["paths"].values() for op in item.values()]
    assert len(ops) == 11  # meta, 5 lists, 5 objects by id
    for op in ops:
        assert op["security"] == [{}, {"bearerAuth": []}], op["operationId"]
        assert "401" in op["responses"], op["operationId"]
    declared = set(doc["components"]["securitySchemes"])
    assert {name for op in ops for req in op["security"] for name in req} <= declared
    bad = {"bearerAuth": {"type": "token"}}
    broken = {**doc, "components": {**doc["components"], "securitySchemes": bad}}
    try:  # the validator must be able to fail: an unknown scheme type
        validate(broken)
    except Exception as e:  # noqa: BLE001 - any validation error will do
        assert "token" in str(e)
    else:
        raise AssertionError("an invalid security scheme was accepted")
