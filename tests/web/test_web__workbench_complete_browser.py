"""Completion from the project's JSON Schema in the workbench editor (issue 14), in Chromium:
typing the start of a key inside a transition offers that transition's keys (``when``,
``when_message``…, not those already written), accepting one writes ``key: ``; after ``type: `` in
a form field the field types are offered; the schema is served to workbench users only."""

from __future__ import annotations

import httpx
import pytest

from .conftest import PASSWORD
from .test_web__browser import open_as
from .workbench_helpers import author_and_version

playwright_api = pytest.importorskip("playwright.sync_api")


def _labels(page) -> list[str]:
    page.wait_for_selector(".cm-tooltip-autocomplete li", state="attached")
    return page.eval_on_selector_all(".cm-tooltip-autocomplete li .cm-completionLabel",
                                     "els => els.map(e => e.textContent)")


def _goto_end_of(page, n: int) -> None:
    page.evaluate("(n) => { const v = window.mnoEditor; const l = v.state.doc.line(n);"
                  " v.dispatch({selection: {anchor: l.to}, scrollIntoView: true}); v.focus(); }", n)


def test_keys_and_values_are_completed_from_the_json_schema(live, browser, tmp_path):
    author_and_version(live, tmp_path)
    page = open_as(browser, live, "auteur.pos")
    with page.expect_navigation():
        page.click("#new-draft")
    page.wait_for_selector("#cm-editor .cm-content")
    page.wait_for_function("window.mnoSchemaReady === true")
    lines = page.input_value("#source").split("\n")

    # A new key in the referral's "accept" transition (block style: "- trigger: accept" then keys).
    n = next(i for i, x in enumerate(lines) if x.strip() == "- trigger: accept") + 1
    indent = len(lines[n]) - len(lines[n].lstrip())             # the keys under "- trigger: send"
    _goto_end_of(page, n + 1)
    page.keyboard.press("Enter")
    page.evaluate("(k) => { const v = window.mnoEditor; const h = v.state.selection.main.head;"
                  " const l = v.state.doc.lineAt(h);"
                  " v.dispatch({changes: {from: l.from, to: l.to, insert: ' '.repeat(k)},"
                  " selection: {anchor: l.from + k}}); }", indent)
    page.keyboard.type("whe")
    got = _labels(page)
    assert {"when", "when_label", "when_message"} <= set(got), got
    page.keyboard.press("Escape")
    for _ in "whe":
        page.keyboard.press("Backspace")
    page.keyboard.press("Control+Space")                        # every key a transition may have...
    got = _labels(page)
    assert {"when", "form", "internal", "notify"} <= set(got), got
    assert not {"trigger", "from", "to", "by", "label"} & set(got)  # ...but those already written
    page.keyboard.press("Escape")
    page.keyboard.type("when_m")
    assert _labels(page) == ["when_message"]
    page.keyboard.press("Enter")
    line = page.evaluate("() => { const v = window.mnoEditor;"
                         " return v.state.doc.lineAt(v.state.selection.main.head).text; }")
    assert line == " " * indent + "when_message: "

    # A value: after "type: " in a form field, the field types.
    page.keyboard.press("Control+z")
    page.keyboard.press("Control+z")
    f = next(i for i, x in enumerate(lines) if x.strip().startswith("type: date")) + 1
    page.evaluate("(n) => { const v = window.mnoEditor; const l = v.state.doc.line(n);"
                  " const at = l.text.indexOf('date');"
                  " v.dispatch({changes: {from: l.from + at, to: l.to}, selection: {anchor: l.from + at}});"
                  " v.focus(); }", f)
    page.keyboard.type("d")
    got = _labels(page)
    assert {"date", "datetime"} <= set(got), got


def test_schema_route_is_for_workbench_users(live, tmp_path):
    author_and_version(live, tmp_path)
    c = live.client("auteur.pos")
    r = c.get("/pos/atelier/schema.json")
    assert r.status_code == 200
    schema = r.json()
    assert "Transition" in schema["$defs"] and "when_message" in schema["$defs"]["Transition"]["properties"]
    other = live.client("mariam.kabore")
    assert other.get("/pos/atelier/schema.json").status_code in (403, 404)
    assert httpx.get(f"{live.url}/pos/atelier/schema.json").status_code in (302, 303, 401)
    assert PASSWORD  # the demo password the clients log in with
