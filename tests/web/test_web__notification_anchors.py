"""Notification links land on their step (finding 20 of the tryout): every ``#step-<step>-<key>``
a notification or « Mon travail » links to exists as an id on the linked case page, whatever the
instance's state (in progress, standing, final, a closed case's) — checked on the demo's cases."""

from __future__ import annotations

import html
import re

from mno_workflow.web.demo_data import STAGES, load_demo

USERS = ("mariam.kabore", "awa.ouedraogo", "idrissa.sanou", "salif.zongo", "coord.mnr")


def test_every_notification_link_fragment_is_an_id_of_the_linked_page(live) -> None:
    load_demo(live.wf, n_cases=len(STAGES), setup=False)
    checked, missing = 0, {}
    for user in USERS:
        c = live.client(user)
        links = set()
        for page in ("/notifications", "/travail"):
            links |= set(re.findall(r'href="(/dossiers/[^"#]+#[^"]+)"', c.get(page).text))
        pages: dict[str, str] = {}
        for link in sorted(links):
            path, fragment = html.unescape(link).split("#", 1)
            if path not in pages:
                pages[path] = c.get(path).text
            checked += 1
            if f'id="{fragment}"' not in pages[path]:
                missing.setdefault(user, []).append(link)
    assert checked >= 10, checked
    assert missing == {}, missing
