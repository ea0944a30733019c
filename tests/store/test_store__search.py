"""Name search on both back ends (SQLite FTS5, PostgreSQL trigram): folding of accents, case,
apostrophes, hyphens, ligatures and West African letters; ``%`` and ``_`` typed are literals; the
index follows every change of a name (create, update, retention erase, delete)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, text, update

from mno_workflow.engine.retention import erase_case
from mno_workflow.store import migrate, search
from mno_workflow.store.base import make_engine
from mno_workflow.store.models import Case
from mno_workflow.store.repository import fold, list_cases
from mno_workflow.web.worklists import case_page

from ..engine.helpers import CW, IDENT, SUP, close_now

NAMES = {
    "ndiaye": ("Awa", "N’Diaye"),
    "lefevre": ("Fatou", "Ndiaye-Lefèvre"),
    "oeuvray": ("Zoé", "Œuvray"),
    "yelbeogo": ("Moussa", "Yɛlbɛogo"),
    "sawadogo": ("Aminata", "Sawadogo"),
}


@pytest.mark.parametrize(("typed", "folded"), [
    ("N’Diaye", "ndiaye"), ("n'diaye", "ndiaye"), ("Ndiaye-Lefèvre", "ndiaye lefevre"),
    ("Œuvray", "oeuvray"), ("Yɛlbɛogo", "yelbeogo"), ("  ZOÉ  ", "zoe"), ("FAÇON", "facon"),
    ("Ouédraogo—Kaboré", "ouedraogo kabore"), ("50%_x", "50%_x"),
])
def test_fold(typed, folded):
    assert fold(typed) == folded


@pytest.fixture
def named(wf):
    """One registered case per entry of NAMES: {key: reference}."""
    out = {}
    for key, (first, last) in NAMES.items():
        ref = wf.create_case("mnr_bf", CW)
        wf.fire(ref, "register", CW, {**IDENT, "first_name": first, "last_name": last})
        out[key] = ref
    return out


def found(wf, typed: str) -> set[str]:
    with wf.sessions() as s:
        page = case_page(s, Case.id.is_not(None), search=typed, limit=50)
        listed = {c.reference for c in list_cases(s, search=typed)}
    assert {c.reference for c in page.cases} == listed  # the web/API list and the CLI agree
    return listed


@pytest.mark.parametrize(("typed", "keys"), [
    ("n'diaye", {"ndiaye", "lefevre"}),  # both are Ndiaye
    ("N’DIAYE awa", {"ndiaye"}),
    ("ndiaye", {"ndiaye", "lefevre"}),
    ("ndiaye lefevre", {"lefevre"}),
    ("Ndiaye-Lefèvre", {"lefevre"}),
    ("lefevre fatou", {"lefevre"}),
    ("oeuvray", {"oeuvray"}),
    ("Œuvray zoe", {"oeuvray"}),
    ("yelbeogo", {"yelbeogo"}),
    ("YƐLBƐOGO", {"yelbeogo"}),
    ("sawa", {"sawadogo"}),
    ("nobody", set()),
    ("%", set()),
    ("_", set()),
    ("%%", set()),
    ("saw%", set()),
    ("sawa_ogo", set()),
    ("n_iaye", set()),
    ('"', set()),
    ("sawadogo OR ndiaye", set()),  # no query syntax: three words, all required
    ("sawadogo*", set()),
])
def test_search_table(wf, named, typed, keys):
    assert found(wf, typed) == {named[k] for k in keys}


def test_search_by_reference(wf, named):
    ref = named["yelbeogo"]
    assert found(wf, ref) == {ref}
    assert found(wf, ref.lower()) == {ref}
    assert ref in found(wf, ref.split("-")[-1])  # the number alone


def test_index_follows_create_update_erase_delete(wf, named, clock):
    ref = named["sawadogo"]
    assert found(wf, "sawadogo") == {ref}
    # a name changed by any path (here a plain UPDATE, as an import or an admin tool would do)
    with wf.sessions.begin() as s:
        s.execute(update(Case).where(Case.reference == ref)
                  .values(display_name="Aminata Compaoré", name_folded=fold("Aminata Compaoré")))
    assert found(wf, "sawadogo") == set()
    assert found(wf, "compaore") == {ref}
    # retention: an erased name is not findable any more
    assert erase_case(wf, close_now(wf, ref), SUP, "demande de la personne") > 0
    assert found(wf, "compaore") == set() and found(wf, "aminata") == set()
    assert found(wf, ref) == {ref}  # the reference stays
    # a deleted case leaves the index
    other = named["oeuvray"]
    with wf.sessions.begin() as s:
        s.execute(delete(Case).where(Case.reference == other))
    assert found(wf, "oeuvray") == set()
    if wf.db.dialect.name == "sqlite":
        with wf.db.connect() as conn:
            indexed = conn.scalar(text(f"SELECT count(*) FROM {search.FTS_TABLE}"))
            cases = conn.scalar(select(Case.id).with_only_columns(text("count(*)")).select_from(Case))
        assert indexed == cases


def test_the_migration_indexes_existing_names(db_url, clock, bf_loaded):
    """A database of revision 0010 with names gets them folded anew and indexed by 0011."""
    from mno_workflow.engine.engine import WorkflowEngine

    migrate.upgrade(db_url, "0010")
    db = make_engine(db_url)
    try:
        ref = "MNR-BF-000001"
        m = bf_loaded.model
        with db.begin() as conn:  # the SOP version and a case row as revision 0010 stored them
            # (today's engine writes columns of later revisions, so the rows are written with
            # 0010's columns only)
            conn.execute(text(
                "INSERT INTO sop_versions (sop_id, version, title, source_path, source, sha256, "
                "loaded_at) VALUES (:s, :v, :t, :p, :src, :sha, :at)"),
                {"s": m.sop, "v": m.version, "t": m.label(m.title, "fr"), "p": bf_loaded.path,
                 "src": bf_loaded.source, "sha": bf_loaded.sha256, "at": clock.now()})
            version_id = conn.exec_driver_sql("SELECT id FROM sop_versions").scalar()
            conn.execute(text(
                "INSERT INTO cases (reference, sop_version_id, status, display_name, name_folded, "
                "data, created_at, updated_at, version) VALUES (:r, :v, 'open', :n, :f, '{}', :at, :at, 1)"),
                {"r": ref, "v": version_id, "n": "Awa N’Diaye-Œuvray", "f": "awa n’diaye-œuvray",
                 "at": clock.now()})
        migrate.upgrade(db_url)
        wf = WorkflowEngine(db, clock)
        wf.load_sop(bf_loaded)  # the same version, registered before revision 0023
        with wf.sessions() as s:
            assert s.scalar(select(Case.name_folded)) == "awa ndiaye oeuvray"
        assert found(wf, "ndiaye oeuvray") == {ref}
    finally:
        db.dispose()


def test_tables_dropped_and_created_again_start_with_an_empty_index(wf, bf_loaded):
    """``drop_all`` + ``create_all`` (tools, benchmarks) leave no stale name behind, and the next
    case (the same id again) is indexed."""
    from mno_workflow.store.base import Base

    ref = wf.create_case("mnr_bf", CW)
    wf.fire(ref, "register", CW, {**IDENT, "last_name": "Tiendrébéogo"})
    Base.metadata.drop_all(wf.db)
    Base.metadata.create_all(wf.db)
    wf.load_sop(bf_loaded)
    again = wf.create_case("mnr_bf", CW)
    wf.fire(again, "register", CW, {**IDENT, "last_name": "Guigma"})
    assert found(wf, "tiendrebeogo") == set()
    assert found(wf, "guigma") == {again}
