"""``mno sop load`` of a second country's SOP ties the accounts created when the database had one
SOP to the SOP that lists their region (tryout 7, J1: once a Côte d'Ivoire SOP was loaded beside
the Burkina Faso one, a BF case manager of Kadiogo, ``users.sop_id`` empty, was offered the
Ivorian SOP and opened an Ivorian case in an Ivorian region). Accounts whose region several SOPs
list, and accounts without region, stay in every SOP and are named. The tie then holds on every
path the SOP rule guards: ``mno case create --as`` is refused, in words; nothing is written."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from mno_workflow.cli import app
from mno_workflow.store.base import make_engine
from mno_workflow.store.models import Case, User

from ..conftest import BF_SOP
from ..second_sop import sn_text
from .users import add_users

PEOPLE = [("mariam.kabore", "caseworker", None, "kadiogo"), ("idrissa.sanou", "supervisor", None, "kadiogo"),
          ("coord", "coordinator", None, None), ("focal.cfp", "provider", "org-cfp", None)]


def ci_text() -> str:
    """The BF text as ``mnr_ci``: its regions renamed ``ci_<code>`` (none shared with BF)."""
    text = BF_SOP.read_text(encoding="utf-8").replace("sop: mnr_bf", "sop: mnr_ci", 1)
    head, _, rest = text.partition("\n  region:\n")
    block, _, tail = rest.partition("\n  language:\n")
    block = re.sub(r"^    (\w+):", r"    ci_\1:", block, flags=re.M)
    return head + "\n  region:\n" + block.replace("ci_kuilse", "ci_gbeke") + "\n  language:\n" + tail


def mno(db_url, *args, lang="fr"):
    result = CliRunner().invoke(app, ["--db", db_url, "--lang", lang, *args])
    assert "Traceback" not in result.output, result.output
    return result


def sops_of(db_url) -> dict[str, str | None]:
    db = make_engine(db_url)
    try:
        with db.connect() as conn:
            return dict(conn.execute(select(User.id, User.sop_id)).all())
    finally:
        db.dispose()


@pytest.mark.migrated
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_loading_a_second_country_ties_region_accounts(db_url, tmp_path, lang):
    add_users(db_url, PEOPLE[:4])
    assert mno(db_url, "sop", "load", str(BF_SOP)).exit_code == 0
    assert set(sops_of(db_url).values()) == {None}  # one SOP: nobody is tied
    ci = tmp_path / "mnr_ci.yaml"
    ci.write_text(ci_text(), encoding="utf-8")
    out = mno(db_url, "sop", "load", str(ci), lang=lang)
    assert out.exit_code == 0, out.output
    assert sops_of(db_url) == {"mariam.kabore": "mnr_bf", "idrissa.sanou": "mnr_bf", "coord": None,
                               "focal.cfp": None}
    if lang == "fr":
        assert "Compte mariam.kabore rattaché à la POS « Mécanisme national de référencement — Burkina " \
               "Faso » : sa région « kadiogo » n'existe que dans cette POS" in out.output
        assert "Comptes sans région, qui travaillent sur toutes les POS : coord, focal.cfp" in out.output
    else:
        assert "Account mariam.kabore tied to the SOP “National referral mechanism — Burkina Faso”: " \
               "its region “kadiogo” exists only in that SOP" in out.output
        assert "Accounts without region, working in every SOP: coord, focal.cfp" in out.output
    # the tie holds: the BF case manager no longer opens an Ivorian case; nothing is written
    refused = mno(db_url, "case", "create", "--sop", "mnr_ci", "--as", "mariam.kabore:caseworker", lang=lang)
    assert refused.exit_code == 1
    assert ("autre POS" if lang == "fr" else "another SOP") in refused.output
    db = make_engine(db_url)
    try:
        with db.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(Case)) == 0
    finally:
        db.dispose()
    assert mno(db_url, "case", "create", "--sop", "mnr_bf", "--as", "mariam.kabore:caseworker").exit_code == 0
    # loading the same SOP again changes nothing and says nothing
    again = mno(db_url, "sop", "load", str(ci), lang=lang)
    assert again.exit_code == 0 and "mariam.kabore" not in again.output


@pytest.mark.migrated
def test_a_region_of_several_sops_leaves_the_account_everywhere(db_url, tmp_path):
    """The test SN SOP lists every BF region (and Dakar): Kadiogo is in both, nobody is tied,
    each account is named with the command that ties it."""
    add_users(db_url, PEOPLE[:2])
    assert mno(db_url, "sop", "load", str(BF_SOP)).exit_code == 0
    sn = tmp_path / "mnr_sn.yaml"
    sn.write_text(sn_text(), encoding="utf-8")
    out = mno(db_url, "sop", "load", str(sn))
    assert out.exit_code == 0, out.output
    assert set(sops_of(db_url).values()) == {None}
    assert "Compte mariam.kabore : sa région « kadiogo » existe dans plusieurs POS, il travaille sur " \
           "toutes les POS (une seule : mno user add mariam.kabore --update --sop …)." in out.output


@pytest.mark.migrated
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_tie_by_region_command_for_a_database_loaded_before(db_url, tmp_path, lang):
    """J1 rest: a database whose second SOP was loaded before ``mno sop load`` tied accounts (here:
    the accounts are put back in every SOP afterwards) is tied by ``mno user tie-by-region``;
    ``--dry-run`` says the same and writes nothing."""
    add_users(db_url, PEOPLE[:4])
    assert mno(db_url, "sop", "load", str(BF_SOP)).exit_code == 0
    ci = tmp_path / "mnr_ci.yaml"
    ci.write_text(ci_text(), encoding="utf-8")
    assert mno(db_url, "sop", "load", str(ci)).exit_code == 0
    for login in ("mariam.kabore", "idrissa.sanou"):  # as before this release: in every SOP
        assert mno(db_url, "user", "add", login, "--update", "--sop", "all").exit_code == 0
    before = sops_of(db_url)
    assert before["mariam.kabore"] is None and before["idrissa.sanou"] is None
    dry = mno(db_url, "user", "tie-by-region", "--dry-run", lang=lang)
    assert dry.exit_code == 0, dry.output
    assert sops_of(db_url) == before
    tied = {"fr": "Compte mariam.kabore rattaché à la POS",
            "en": "Account mariam.kabore tied to the SOP"}[lang]
    nothing = {"fr": "Simulation : rien n'a été écrit.", "en": "Dry run: nothing was written."}[lang]
    assert tied in dry.output and nothing in dry.output
    done = mno(db_url, "user", "tie-by-region", lang=lang)
    assert done.exit_code == 0 and tied in done.output and nothing not in done.output
    assert sops_of(db_url) == {"mariam.kabore": "mnr_bf", "idrissa.sanou": "mnr_bf", "coord": None,
                               "focal.cfp": None}
    again = mno(db_url, "user", "tie-by-region", lang=lang)
    assert {"fr": "Aucun compte à rattacher.", "en": "No account to tie."}[lang] in again.output
