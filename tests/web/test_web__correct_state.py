"""The coordination corrects a step's state from the case page (issue 14): the form is shown to
the coordinator only, a reason is required (422, input kept), other roles get 403, the
correction is audited and shown in the timeline in words, and replay accepts it."""

from __future__ import annotations

from mno_workflow.engine.replay import replay_all
from mno_workflow.store import repository

from .helpers import case_with_referrals
from .test_web__case_tools import events, post, version


def test_coordinator_corrects_a_referral_state_from_the_case_page(live):
    ref = case_with_referrals(live.wf)  # referral:cash sent
    url = f"/dossiers/{ref}/corriger"
    coord = live.client("coord.mnr")
    for user in ("mariam.kabore", "idrissa.sanou"):
        c = live.client(user)
        assert url not in c.get(f"/dossiers/{ref}").text
        assert post(c, url, target="referral:cash|draft", reason="x").status_code == 403
    page = coord.get(f"/dossiers/{ref}").text
    assert url in page and 'value="referral:cash|draft"' in page
    r = post(coord, url, target="referral:cash|draft", reason="  ", version=str(version(live.wf, ref)))
    assert r.status_code == 422 and 'id="correct-reason-error"' in r.text
    assert 'value="referral:cash|draft" selected' in r.text  # the choice is kept
    r = post(coord, url, target="referral:cash|nowhere", reason="x", version=str(version(live.wf, ref)))
    assert r.status_code == 422 and 'id="correct-target-error"' in r.text
    assert events(live.wf, ref, "correct") == []
    r = post(coord, url, target="referral:cash|draft", reason="Envoyé par erreur",
             version=str(version(live.wf, ref)))
    assert r.status_code == 303, r.text
    html = coord.get(f"/dossiers/{ref}").text
    assert "Correction : Envoyé par erreur" in html and "Envoyé au prestataire → À envoyer" in html
    (ev,) = events(live.wf, ref, "correct")
    assert (ev.actor, ev.from_state, ev.to_state, ev.data["before"]["state"]) == (
        "coord.mnr", "sent", "draft", "sent")
    with live.wf.sessions() as s:
        assert repository.get_case(s, ref).instances
        assert replay_all(live.wf, s) == []
