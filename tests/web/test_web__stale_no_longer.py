"""A 409 whose action is no longer possible says so (tryout 5, H14): the provider's second tab
submits « Refuser avec un motif » after the first tab accepted — the page names the new state,
keeps what was typed for reference, offers to reload, and no longer invites a resubmission that
can only fail; a 409 whose action is still possible keeps its « enregistrez à nouveau ». FR/EN."""

from __future__ import annotations

import re

import pytest

from .conftest import csrf_of
from .helpers import case_with_referrals, provider

WORDS = {"fr": ("n'est plus possible", "Accepté", "Recharger la page"),
         "en": ("no longer possible", "Accepted", "Reload the page")}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_stale_decline_after_the_other_tab_accepted(live, lang):
    ref = case_with_referrals(live.wf)  # cash sent to org-masn
    c = live.client("focal.masn")
    c.get(f"/langue/{lang}")
    form = c.get(f"/dossiers/{ref}/actions/referral:cash/decline")
    assert form.status_code == 200
    version = re.search(r'name="version" value="(\d+)"', form.text).group(1)
    live.wf.fire(ref, "accept", provider("org-masn"), instance="referral:cash")  # the other tab
    r = c.post(f"/dossiers/{ref}/actions/referral:cash/decline",
               data={"csrftoken": csrf_of(form.text), "version": version, "reason": "no_capacity"})
    assert r.status_code == 409, r.text[:500]
    text = r.text.replace("&#39;", "'").replace("&#x27;", "'")
    for w in WORDS[lang]:
        assert w in text, (lang, w)
    assert f"/prestataire/{ref}/referral:cash" in text
    assert '<button type="submit" class="primary">' not in text  # no resubmission offered


def test_a_stale_post_still_possible_keeps_its_resubmission(live):
    ref = case_with_referrals(live.wf)
    c = live.client("focal.masn")
    form = c.get(f"/dossiers/{ref}/actions/referral:cash/accept")
    version = int(re.search(r'name="version" value="(\d+)"', form.text).group(1))
    r = c.post(f"/dossiers/{ref}/actions/referral:cash/accept",
               data={"csrftoken": csrf_of(form.text), "version": str(version - 1)})
    assert r.status_code == 409
    assert "n'est plus possible" not in r.text and '<button type="submit" class="primary">' in r.text
