"""The demo accounts list ``mno serve --demo`` prints (issue 18): each login with the person's name,
the role's name and the organisation's name from the directory — never ``@ org-csps`` — in the
``--lang`` language."""

from __future__ import annotations

from mno_workflow.directory import load_sample
from mno_workflow.directory.tables import TABLES
from mno_workflow.web.demo_accounts import demo_account_lines
from mno_workflow.web.demo_data import DEMO_USERS


def test_demo_accounts_are_listed_by_name(wf):
    TABLES["organization"].metadata.create_all(wf.db)
    with wf.sessions.begin() as s:
        load_sample(s)
    logins = {u.id: f"pw-{u.id}" for u in DEMO_USERS}
    fr = demo_account_lines(wf, logins, None, "fr")
    en = demo_account_lines(wf, logins, None, "en")
    shared = demo_account_lines(wf, {u.id: "secret" for u in DEMO_USERS}, "secret", "en")
    assert fr[0] == "Comptes de démonstration (mots de passe aléatoires de cette exécution) :"
    assert en[0] == "Demo accounts (this run's random passwords):"
    assert shared[0] == "Demo accounts (password: secret):" and "password:" not in "".join(shared[1:])
    csps = next(line for line in fr if line.strip().startswith("focal.csps"))
    assert "Point focal CSPS Tanghin — " in csps
    assert "@ CSPS de Tanghin (centre de santé, illustratif)" in csps
    assert "mot de passe : pw-focal.csps" in csps
    mariam = next(line for line in en if line.strip().startswith("mariam.kabore"))
    assert "Mariam Kaboré — " in mariam and "(Kadiogo" in mariam and "password: pw-mariam.kabore" in mariam
    for lines in (fr, en):
        text = "\n".join(lines)
        assert "@ org-" not in text and "(kadiogo)" not in text and "caseworker" not in text
        assert "fds-poste" not in text
    assert "Gestionnaire de cas" in "\n".join(fr) and "Gestionnaire de cas" not in "\n".join(en)
