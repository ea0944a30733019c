"""The read-only HSDS 3.1 API (``/hsds/...``) on a live server with the sample directory: paged
lists in the official ``Page`` envelope, objects valid against the official schemas, lookup by
UUID or slug, 404 in JSON, no sign-in needed and nothing but GET."""

from __future__ import annotations

import uuid

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
