"""An agreement cannot be ended before it was signed (tryout 3, F36): the « Fin » field of
``/repertoire/accords`` says so at the field, in the reader's language, the typed day kept and
nothing written; an end on or after the signature is saved."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from mno_workflow.directory.tables import TABLES


@pytest.fixture(scope="module")
def live(live_module):
    return live_module


def post(c, url: str, data: dict):
    return c.post(url, data={"csrftoken": c.cookies.get("csrftoken"), **data})


def ends(live, agreement_id: str):
    agr = TABLES["sharing_agreement"]
    with live.wf.sessions() as s:
        return s.execute(select(agr.c.signed_on, agr.c.expires_on).where(agr.c.id == agreement_id)).one()


def test_an_end_before_the_signature_is_refused_at_the_field(live):
    signed, until = ends(live, "agr-ecoute")
    assert signed.isoformat() == "2025-01-15"
    coord = live.client("coord.mnr")
    coord.get("/repertoire/accords")
    r = post(coord, "/repertoire/accords/agr-ecoute/fin", {"expires_on": "01/01/2020"})
    assert r.status_code == 422 and "Enregistré" not in r.text
    row = re.search(r'<tr data-org="org-ecoute".*?</tr>', r.text, re.S)[0]
    assert 'value="01/01/2020" aria-invalid="true" aria-describedby="end-org-ecoute-error"' in row
    assert ('<span class="error field-error" id="end-org-ecoute-error">La fin ne peut pas précéder la '
            "signature de l&#39;accord (15/01/2025).</span>") in row
    assert ends(live, "agr-ecoute") == (signed, until)  # nothing written
    coord.get("/langue/en", params={"next": "/repertoire/accords"})
    r = post(coord, "/repertoire/accords/agr-ecoute/fin", {"expires_on": "14/01/2025"})
    assert r.status_code == 422
    assert "The end cannot come before the agreement was signed (15/01/2025)." in r.text
    assert "précéder" not in r.text
    r = post(coord, "/repertoire/accords/agr-ecoute/fin", {"expires_on": "31/02/2026"})
    assert r.status_code == 422 and 'aria-invalid="true"' in r.text
    assert ends(live, "agr-ecoute") == (signed, until)
    r = post(coord, "/repertoire/accords/agr-ecoute/fin", {"expires_on": "15/01/2025"})  # the same day
    assert r.status_code == 303
    assert ends(live, "agr-ecoute")[1].isoformat() == "2025-01-15"
