"""Issue 11, hypothesis stateful test: consent updates, withdrawals, re-consents, referrals,
declines, time passing and provider reads interleaved. Invariant: a provider never reads a field
(through the very function the provider API answers with) that the consent in force — computed
here independently from what was recorded — does not cover for its organisation's type."""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from mno_workflow import directory
from mno_workflow.engine.clock import SimulatedClock
from mno_workflow.engine.engine import Actor, WorkflowEngine
from mno_workflow.engine.errors import EngineError
from mno_workflow.sop.loader import load_file
from mno_workflow.store import repository
from mno_workflow.store.base import Base, make_engine
from mno_workflow.store.models import User
from mno_workflow.web import access
from mno_workflow.web.api import _referral_dict

from ..conftest import BF_SOP
from ..web.helpers import IDENT, NEEDS, referral

CW, SUP = Actor("mariam.kabore", "caseworker"), Actor("idrissa.sanou", "supervisor")
ORGS = {"org-masn": "government", "org-oim": "un_agency", "org-ecoute": "ngo",
        "org-csps": "health_facility", "org-chr": "health_facility"}
KINDS = {"government": {"government"}, "un_agency": {"un_agency"},
         "service_provider": {"ngo", "community", "private"}, "health": {"health_facility"}}
CATS = ["identity", "contact", "health", "protection", "needs"]
# identification fields and the category the SOP gives them
IDENT_CATS = {"first_name": "identity", "last_name": "identity", "birth_date": "identity",
              "phone": "contact", "vulnerabilities": "protection"}
scope = st.fixed_dictionaries({
    "share_with": st.lists(st.sampled_from(sorted(KINDS)), min_size=1, unique=True),
    "data_categories": st.lists(st.sampled_from(CATS), min_size=1, unique=True),
    "purposes": st.sampled_from([["referral"], ["referral", "statistics"], ["follow_up"]]),
    "expires_in": st.one_of(st.none(), st.integers(1, 20)),
})


class ConsentVsReads(RuleBasedStateMachine):
    loaded = None

    def __init__(self) -> None:
        super().__init__()
        if ConsentVsReads.loaded is None:
            ConsentVsReads.loaded = load_file(BF_SOP)
        self.dir = Path(tempfile.mkdtemp(prefix="mno-consent-"))
        self.db = make_engine(f"sqlite:///{self.dir / 'mno.db'}")
        Base.metadata.create_all(self.db)
        self.clock = SimulatedClock(datetime(2025, 6, 2, 8, 0, tzinfo=UTC))
        self.wf = WorkflowEngine(self.db, self.clock)
        self.wf.load_sop(ConsentVsReads.loaded)
        with self.wf.sessions.begin() as s:
            directory.load_sample(s)
            s.add(User(id="x", display_name="x", role="caseworker"))
        self.ref = self.wf.create_case("mnr_bf", CW)
        self.wf.fire(self.ref, "register", CW, {**IDENT, "phone": "+226 70 00 00 01",
                                                "vulnerabilities": ["single_headed_household"]})
        self.consent: dict | None = None  # last scope recorded, None when withdrawn / never
        self.assessed = False

    def teardown(self) -> None:
        self.db.dispose()
        shutil.rmtree(self.dir, ignore_errors=True)

    def today(self) -> date:
        return self.clock.now().date()  # Ouagadougou is UTC+0

    def _payload(self, sc: dict) -> dict:
        p = {"given": True, "given_by": "self", "consent_date": self.today().isoformat(),
             "channel": "written", "share_with": sc["share_with"], "data_categories": sc["data_categories"],
             "purposes": sc["purposes"]}
        if sc["expires_in"] is not None:
            p["expires_on"] = (self.today() + timedelta(days=sc["expires_in"])).isoformat()
        return p

    def _fire(self, trigger, actor, payload=None, instance=None) -> bool:
        try:
            self.wf.fire(self.ref, trigger, actor, payload, instance=instance)
            return True
        except EngineError:
            return False

    @initialize(sc=scope)
    def first_consent(self, sc):
        self.record_or_update_consent(sc)

    @rule(sc=scope)
    def record_or_update_consent(self, sc):
        payload = self._payload(sc)
        if self._fire("record_consent", CW, payload) or self._fire("update_consent", CW, payload):
            self.consent = payload
            if not self.assessed and self._fire("submit_assessment", CW, NEEDS):
                self.assessed = self._fire("approve_plan", SUP)

    @rule()
    def withdraw(self):
        if self._fire("withdraw_consent", CW, {"withdrawn_on": self.today().isoformat(),
                                               "expressed_by": "self"}):
            self.consent = None

    @rule(need=st.sampled_from(["cash", "medical"]), org=st.sampled_from(sorted(ORGS)),
          covered=st.sampled_from([True, True, True, False]), then_decline=st.booleans())
    def send_or_re_refer(self, need, org, covered, then_decline):
        inst = f"referral:{need}"
        if covered and self.consent:  # mostly an organisation the consent covers, to go further
            ok = [o for o in sorted(ORGS) if any(ORGS[o] in KINDS[k] for k in self.consent["share_with"])]
            org = ok[hash(org) % len(ok)] if ok else org
        sent = self._fire("send", CW, referral(org), inst) or self._fire("re_refer", CW, referral(org), inst)
        if sent and then_decline:
            self.provider_declines(need)

    @rule(need=st.sampled_from(["cash", "medical"]))
    def a_provider_declines(self, need):
        self.provider_declines(need)

    def provider_declines(self, need):
        with self.wf.sessions() as s:
            inst = next((i for i in repository.get_case(s, self.ref).instances
                         if i.step == "referral" and i.key == need), None)
            org = inst.recipient if inst is not None else None
        if org:
            self._fire("decline", Actor(f"focal.{org[4:]}", "provider", org), {"reason": "no_capacity"},
                       f"referral:{need}")

    @rule(days=st.integers(1, 15))
    def time_passes(self, days):
        self.clock.advance(timedelta(days=days))

    @rule()
    def providers_read(self):
        for org in sorted(ORGS):
            self.provider_reads(org)

    def provider_reads(self, org):
        user = User(id=f"focal.{org[4:]}", display_name="p", role="provider", organisation=org)
        with self.wf.sessions() as s:
            case = repository.get_case(s, self.ref)
            sop = self.wf.registry.for_case(case).sop
            for inst in case.instances:
                if not access.can_view_referral(user, sop, case, inst):
                    continue
                view = access.provider_view(s, sop, case, inst, self.clock.now())
                shown = _referral_dict(sop, case, inst, view)
                allowed = self.allowed_categories(org, inst.state)
                ident = shown.get("identification") or {}
                for field, cat in IDENT_CATS.items():
                    assert field not in ident or cat in allowed, (org, inst.state, field, allowed)
                assert shown.get("name") is None or "identity" in allowed
                assert "reason" not in ((shown.get("data") or {}).get("referral") or {}) or "needs" in allowed
                assert "description" not in (shown.get("item") or {}) or "needs" in allowed
                if not allowed:
                    assert set(shown) == {"reference", "instance", "state", "withheld"}

    def allowed_categories(self, org: str, state: str) -> set[str]:
        """The model: what the consent recorded here lets this organisation see now."""
        c = self.consent
        if c is None or state == "declined" or "referral" not in c["purposes"]:
            return set()
        if "expires_on" in c and date.fromisoformat(c["expires_on"]) < self.today():
            return set()
        if not any(ORGS[org] in KINDS[k] for k in c["share_with"]):
            return set()
        return set(c["data_categories"])


ConsentVsReads.TestCase.settings = settings(max_examples=60, stateful_step_count=25, deadline=None,
                                            suppress_health_check=[HealthCheck.too_slow])
test_provider_never_reads_beyond_the_consent_in_force = ConsentVsReads.TestCase
