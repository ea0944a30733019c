"""The M&E dashboard's filters: the « all » option agrees with its noun in French — « Région :
Toutes », « Sexe : Tous », « Tranche d'âge : Toutes », « Besoin : Tous » (tryout 3, F27) — and
reads « All » in English."""

from __future__ import annotations

import re

FIRST_OPTION = r'<select name="(\w+)"[^>]*><option value="">([^<]+)</option>'


def test_all_options_agree_with_their_noun(live):
    me = live.client("suivi.evaluation")
    firsts = dict(re.findall(FIRST_OPTION, me.get("/tableau-de-bord").text))
    assert firsts == {"region": "Toutes", "sexe": "Tous", "age": "Toutes", "besoin": "Tous"}
    me.get("/langue/en", params={"next": "/tableau-de-bord"})
    firsts = dict(re.findall(FIRST_OPTION, me.get("/tableau-de-bord").text))
    assert firsts == {"region": "All", "sexe": "All", "age": "All", "besoin": "All"}
