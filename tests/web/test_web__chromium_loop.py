"""The session's Chromium (tests/web/conftest.py) leaves no running event loop in the main thread
between tests: ``asyncio.run`` works in a test while Chromium is up, and Chromium is driven again
afterwards (the fixture marks Playwright's loop back for that)."""

from __future__ import annotations

import asyncio


async def _answer() -> str:
    await asyncio.sleep(0)
    return "ok"


def test_asyncio_run_works_while_the_session_chromium_is_up_and_chromium_still_drives(chromium, request):
    assert chromium.is_connected()  # Chromium is up (the session fixture launched it)
    assert asyncio._get_running_loop() is None
    assert asyncio.run(_answer()) == "ok"
    browser = request.getfixturevalue("browser")
    page = browser.new_page()
    page.set_content("<p id='x'>Bonjour</p>")
    assert page.inner_text("#x") == "Bonjour"
