"""Alert routing with staff of another SOP in the database (tryout 5, H24): a Senegal supervisor
without region is not the national fallback of a Burkina Faso alert, a Senegal case manager of a
region code the BF SOP shares is not its least-loaded case manager, and the BF alert form still
shows a region without BF staff as unable to receive an alert (:func:`regions_with_staff`)."""

from __future__ import annotations

from mno_workflow.engine.alerts import choose_assignee, entry_for, regions_with_staff
from mno_workflow.store.models import User


def entry_of(wf, s):
    sop = wf.registry.compiled(wf.registry.latest(s, "mnr_bf")).sop
    return entry_for(sop, "first_responder")[1]


def test_staff_of_another_sop_receive_no_bf_alert(wf):
    with wf.sessions.begin() as s:
        s.add_all([User(id="a.sn.sup", display_name="SN", role="supervisor", sop_id="mnr_sn", active=True),
                   User(id="a.sn.gest", display_name="SN", role="caseworker", region="liptako",
                        sop_id="mnr_sn", active=True),
                   User(id="mariam", display_name="Mariam", role="caseworker", region="kadiogo",
                        sop_id="mnr_bf", active=True)])
    with wf.sessions() as s:
        entry = entry_of(wf, s)
        assert choose_assignee(s, entry, "tapoa", "mnr_bf") is None
        assert choose_assignee(s, entry, "liptako", "mnr_bf") is None
        assert choose_assignee(s, entry, "kadiogo", "mnr_bf") == ("mariam", "least_loaded")
        assert regions_with_staff(s, entry, "mnr_bf") == {"kadiogo"}  # not None: not « national »
        # the same people for the SN SOP's own alerts
        assert choose_assignee(s, entry, "liptako", "mnr_sn") == ("a.sn.gest", "least_loaded")
        assert choose_assignee(s, entry, "tapoa", "mnr_sn") == ("a.sn.sup", "fallback_national")
        assert regions_with_staff(s, entry, "mnr_sn") is None
