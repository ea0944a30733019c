"""Users are named on pages, never shown as a bare id (issue 18): the access log's user column
(display name, the id in its ``title`` and small under it for auditors), the case list's and the
case page's assignee; an id with no user row (an account deleted from the users table) is
« compte supprimé » / "deleted account" with the id, a command-line reader « ligne de commande »."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from mno_workflow.store.models import Case
from mno_workflow.web.models import CaseView

from .helpers import case_with_referrals

WORDS = {"fr": ("compte supprimé", "ligne de commande"), "en": ("deleted account", "command line")}


def _cells(page: str, table: str, column: int) -> list[str]:
    """The text of ``column`` (0-based) of every body row of the table ``#table``."""
    body = page.split(f'id="{table}"', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", re.findall(r"<td[^>]*>(.*?)</td>", r,
                                                                                       re.S)[column]))).strip()
            for r in rows]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_access_log_names_users_and_says_when_there_is_no_account(live, lang):
    ref = case_with_referrals(live.wf)
    assert live.client("mariam.kabore").get(f"/dossiers/{ref}").status_code == 200
    with live.wf.sessions.begin() as s:
        case = s.query(Case).filter_by(reference=ref).one()
        at = live.wf.clock.now() + timedelta(minutes=1)
        s.add(CaseView(case_id=case.id, user_id="ancien.agent", role="caseworker", organisation=None,
                       channel="page", at=at))  # the user row was deleted since
        s.add(CaseView(case_id=case.id, user_id="cli:root", role="cli", organisation=None,
                       channel="cli", at=at + timedelta(minutes=1)))
    coord = live.client("coord.mnr")
    coord.get(f"/langue/{lang}")
    page = coord.get("/journal-acces").text
    users = _cells(page, "views", 1)
    deleted, cli = WORDS[lang]
    assert f"{cli} cli:root" in users and f"{deleted} ancien.agent" in users, users
    assert "Mariam Kaboré mariam.kabore" in users, users  # the name first, the id small under it
    assert 'title="mariam.kabore">Mariam Kaboré</span>' in page
    assert "ancien.agent" not in [u.split()[0] for u in users]  # never a bare id


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_case_list_and_page_name_the_assignee_or_say_the_account_is_gone(live, lang):
    kept = case_with_referrals(live.wf)
    gone = case_with_referrals(live.wf)
    with live.wf.sessions.begin() as s:
        s.execute(update(Case).where(Case.reference == gone).values(assignee="ancien.agent"))
    sup = live.client("idrissa.sanou")
    sup.get(f"/langue/{lang}")
    page = sup.get("/dossiers").text
    rows = {}
    for r in re.findall(r"<tr[^>]*>(.*?)</tr>", page.split("<tbody>", 1)[1].split("</tbody>", 1)[0], re.S):
        cells = [re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", c))).strip()
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
        rows[next(c.split()[0] for c in cells if c.startswith("MNR-"))] = cells
    assert "Mariam Kaboré" in rows[kept], rows[kept]
    assert f"{WORDS[lang][0]} ancien.agent" in rows[gone], rows[gone]  # was the bare id
    assert "ancien.agent" not in rows[gone]
    assert 'title="mariam.kabore">Mariam Kaboré</span>' in page
    case_page = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", sup.get(f"/dossiers/{gone}").text)))
    assert f"{WORDS[lang][0]} (ancien.agent)" in case_page


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_reassignment_message_names_the_new_case_manager(live, lang):
    from mno_workflow.store.models import User

    one, many = case_with_referrals(live.wf), case_with_referrals(live.wf)
    name = "Ali Koné"
    with live.wf.sessions.begin() as s:
        s.add(User(id="ali.kone", display_name=name, role="caseworker", region="kadiogo"))
    sup = live.client("idrissa.sanou")
    sup.get(f"/langue/{lang}")
    token = sup.cookies.get("csrftoken")
    for url, data in ((f"/dossiers/{one}/reattribuer", {"reason": "Congé"}),
                      ("/dossiers/reattribuer", {"ref": [many], "reason": "Équilibrage"})):
        r = sup.post(url, data={"csrftoken": token, "assignee": "ali.kone", **data})
        assert r.status_code == 303, r.text
        page = html.unescape(sup.get(r.headers["location"]).text)
        found = re.search(r'<p class="flash"[^>]*>(.*?)</p>', page, re.S)
        assert found, (r.headers["location"], page[:3000])
        flash = found.group(1)
        assert name in flash and "ali.kone" not in flash, flash  # was « → ali.kone »
