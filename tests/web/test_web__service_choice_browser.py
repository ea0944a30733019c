"""The referral form in Chromium: choosing a provider leaves only its directory services to choose
(tryout 2, finding 2: a service of another provider was easy to pick); the server still refuses a
mismatch, naming both by name."""

from __future__ import annotations

from .helpers import case_with_referrals
from .test_web__browser import pytestmark, signed_in  # noqa: F401  (pytestmark: skipped without Chromium)


def test_services_offered_are_those_of_the_chosen_provider(live, browser):
    ref = case_with_referrals(live.wf, send=False)
    page = signed_in(browser, live, "mariam.kabore", locale="fr-FR")
    page.goto(f"{live.url}/dossiers/{ref}/actions/referral:medical/send")
    offered = page.eval_on_selector_all(
        "#f-service_id option[value^='svc-']", "os => os.filter(o => !o.hidden && !o.disabled).length")
    assert offered > 1  # no provider yet: every service
    page.select_option("#f-provider", "org-csps")
    shown = page.eval_on_selector_all(
        "#f-service_id option[value^='svc-']",
        "os => os.filter(o => !o.hidden && !o.disabled).map(o => [o.value, o.getAttribute('data-allowed')])")
    assert shown and {org for _, org in shown} == {"org-csps"}, shown
    assert len(shown) < offered
    # a service already chosen that is not the new provider's is cleared
    page.select_option("#f-service_id", shown[0][0])
    page.select_option("#f-provider", "org-masn")
    assert page.input_value("#f-service_id") == ""
