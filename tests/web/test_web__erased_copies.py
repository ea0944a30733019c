"""After an erasure, no free text copied into a referral's item is left on a web path (tryout 4,
G7): the API case, the case page and the person-data page (HTML and JSON), in French and English;
the person-data page says each item with its form's labels and the action that added it."""

from __future__ import annotations

import pytest

from mno_workflow.engine.retention import erase_case

from ..engine.copies import SECRETS, child_case
from ..engine.helpers import close_now
from .conftest import PASSWORD
from .helpers import IDRISSA, MARIAM

WORDS = {"fr": ("[effacé le 02/06/2025]", "Constats", "Ajouté par l&#39;action",
                "Enregistrer l&#39;évaluation de l&#39;intérêt supérieur"),
         "en": ("[erased on 02/06/2025]", "Findings", "Added by the action",
                "Record the best-interests assessment")}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_copied_free_text_on_any_web_path_after_erasure(live, lang):
    ref = child_case(live.wf, MARIAM, IDRISSA)
    sup = live.client("idrissa.sanou")
    tok = sup.post("/api/v1/auth/token",
                   json={"username": "idrissa.sanou", "password": PASSWORD}).json()["token"]
    headers = {"Authorization": f"Bearer {tok}", "Accept-Language": lang}
    before = sup.get(f"/api/v1/cases/{ref}", headers=headers).text
    for secret in SECRETS:  # each free text is in a referral's item before the erasure
        assert secret in before, secret

    assert erase_case(live.wf, close_now(live.wf, ref), IDRISSA, "demande de la tante") > 0

    sup.get(f"/langue/{lang}")
    api = sup.get(f"/api/v1/cases/{ref}", headers=headers)
    page = sup.get(f"/dossiers/{ref}")
    doc = sup.get(f"/dossiers/{ref}/donnees-personne")
    data = sup.get(f"/dossiers/{ref}/donnees-personne?format=json")
    for r in (api, page, doc, data):
        assert r.status_code == 200, r.text[:300]
        for secret in SECRETS:
            assert secret not in r.text, (r.url, secret)
    items = [x["item"] for x in api.json()["steps"] if x.get("item")]
    assert any(i.get("spawned_by") == "record_best_interests" and "$purged" in i["findings"] for i in items)
    erased, findings, added, bia = WORDS[lang]
    assert erased in page.text and erased in doc.text
    assert f"<dt>{findings}</dt>" in doc.text or f">{findings}<" in doc.text
    assert added in doc.text and bia in doc.text
    assert "spawned by" not in doc.text and "family_reunification" not in doc.text
