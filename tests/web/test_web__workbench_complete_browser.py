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


_LABELS = "() => [...document.querySelectorAll('.cm-tooltip-autocomplete li .cm-completionLabel')]" \
          ".map(e => e.textContent)"


def _labels(page, settled_on: str | None = None) -> list[str]:
    """The labels of the open completion list, read once it is open and — with ``settled_on``,
    the text typed on the cursor's line — once the editor holds that text and the list is
    filtered for it (every label contains the letters of the word being typed, in order). Waits on those
    conditions (under load the keystrokes and CodeMirror's asynchronous completion lag), never
    on a fixed delay."""
    if settled_on is not None:
        _wait_line(page, settled_on)
    page.wait_for_function(
        "(typed) => { const got = (" + _LABELS + ")(); if (!got.length) return false;"
        " if (typed === null) return true; const w = typed.trim().split(/[\\s:]+/).pop();"
        " const fits = (l) => { let i = 0; for (const c of l) if (c === w[i]) i++; return i === w.length; };"
        " return got.every(fits); }", arg=settled_on)
    return page.evaluate(_LABELS)


def _line(page) -> str:
    return page.evaluate("() => { const v = window.mnoEditor;"
                         " return v.state.doc.lineAt(v.state.selection.main.head).text; }")


def _wait_line(page, text: str) -> None:
    """Wait until the cursor's line of the editor is ``text`` (then the keystrokes have landed)."""
    page.wait_for_function("(t) => { const v = window.mnoEditor;"
                           " return v.state.doc.lineAt(v.state.selection.main.head).text === t; }", arg=text)


def _wait_still(page) -> None:
    """Wait until the editor (its text, diagnostics and completion list) has not changed for longer
    than CodeMirror's ``interactionDelay`` (75 ms): Enter on a list rebuilt sooner than that (a late
    completion result, a diagnostics swap) is taken as a new line, not as accepting the option."""
    page.evaluate("() => { window.mnoChanged = performance.now(); if (window.mnoWatch) return;"
                  " window.mnoWatch = new MutationObserver(() => { window.mnoChanged = performance.now(); });"
                  " window.mnoWatch.observe(document.getElementById('cm-editor'),"
                  " {subtree: true, childList: true, attributes: true, characterData: true}); }")
    page.wait_for_function("() => performance.now() - window.mnoChanged > 200", polling=50)


def _wait_closed(page) -> None:
    page.wait_for_selector(".cm-tooltip-autocomplete", state="detached")


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
    _wait_line(page, " " * indent)
    page.keyboard.type("whe")
    got = _labels(page, " " * indent + "whe")
    assert {"when", "when_label", "when_message"} <= set(got), got
    page.keyboard.press("Escape")
    _wait_closed(page)
    for _ in "whe":
        page.keyboard.press("Backspace")
    _wait_line(page, " " * indent)
    page.keyboard.press("Control+Space")                        # every key a transition may have...
    got = _labels(page)
    # (not "notify": the BF SOP's accept has one since 2026.7, and a key already there is not offered)
    assert {"when", "form", "internal", "spawn"} <= set(got) and "notify" not in got, got
    assert not {"trigger", "from", "to", "by", "label"} & set(got)  # ...but those already written
    page.keyboard.press("Escape")
    _wait_closed(page)
    page.keyboard.type("when_m")
    assert _labels(page, " " * indent + "when_m") == ["when_message"]
    page.wait_for_selector(".cm-tooltip-autocomplete li[aria-selected] >> text=when_message")
    _wait_still(page)
    page.keyboard.press("Enter")
    try:  # the accepted completion replaces the typed word
        _wait_line(page, " " * indent + "when_message: ")
    except playwright_api.TimeoutError:
        pass  # the assertion below says what the line holds
    assert _line(page) == " " * indent + "when_message: "

    # A value: after "type: " in a form field, the field types.
    page.keyboard.press("Control+z")
    page.keyboard.press("Control+z")
    f = next(i for i, x in enumerate(lines) if x.strip().startswith("type: date")) + 1
    page.evaluate("(n) => { const v = window.mnoEditor; const l = v.state.doc.line(n);"
                  " const at = l.text.indexOf('date');"
                  " v.dispatch({changes: {from: l.from + at, to: l.to}, selection: {anchor: l.from + at}});"
                  " v.focus(); }", f)
    page.keyboard.type("d")
    got = _labels(page, lines[f - 1][:lines[f - 1].index("date")] + "d")
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
