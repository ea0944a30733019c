"""More concurrent requests than the connection pool once held (issue 15, ``bench/http_load.py``,
20 clients on SQLite: 0.7 requests a second, « QueuePool limit … reached » and « database is
locked » after 30 s). Every pooled connection was held by a request waiting for the database's
write lock while the transaction holding the lock waited for one more connection (a page that
opens a second session while rendering, a list that wrote its access log beside its read).

Now (1) a SQLite engine has no ceiling on connections: the write lock serialises writers, and
(2) a read writes its access log only after giving its connection back: one connection at a time
per list read, and the reading is still logged before the request ends."""

from __future__ import annotations

from sqlalchemy import event, func, select

from mno_workflow.engine.engine import Actor
from mno_workflow.store.base import make_engine
from mno_workflow.store.models import User
from mno_workflow.web import queries
from mno_workflow.web.models import CaseView

from ..engine.helpers import IDENT


def test_a_sqlite_engine_gives_as_many_connections_as_asked(tmp_path):
    db = make_engine(f"sqlite:///{tmp_path / 'p.db'}", pool_timeout=1)  # the old ceiling: 15
    try:
        held = [db.raw_connection() for _ in range(25)]  # raised TimeoutError at the 16th
        assert len({id(c.dbapi_connection) for c in held}) == 25
        for c in held:
            c.close()
    finally:
        db.dispose()


def test_an_in_memory_sqlite_database_keeps_its_own_pool():
    """``sqlite://`` (tests, a throw-away run): SQLAlchemy's one-connection-per-thread pool, which
    takes no ``max_overflow`` (make_engine refused to create it when it passed one)."""
    for url in ("sqlite://", "sqlite:///:memory:"):
        db = make_engine(url)
        with db.connect() as conn:
            assert conn.exec_driver_sql("SELECT 1").scalar() == 1
        db.dispose()


def test_a_list_read_holds_one_connection_and_logs_after_giving_it_back(wf):
    cw = Actor("mariam.kabore", "caseworker")
    refs = [wf.create_case("mnr_bf", cw) for _ in range(3)]
    wf.fire(refs[0], "register", cw, IDENT)
    user = User(id="mariam.kabore", display_name="M", role="caseworker", region="kadiogo")
    out, most = {"now": 0}, {"n": 0}

    def checkout(*_a):
        out["now"] += 1
        most["n"] = max(most["n"], out["now"])

    def checkin(*_a):
        out["now"] -= 1

    event.listen(wf.db, "checkout", checkout)
    event.listen(wf.db, "checkin", checkin)
    try:
        with wf.sessions() as s:  # a read session, as « Mes dossiers » opens one
            assert queries.log_views(s, user, refs, "list", wf.clock.now()) == 3
            assert most["n"] == 1  # never a second connection beside the read's
            with wf.db.connect() as other:  # not written yet: the read is still going on
                assert other.scalar(select(func.count()).select_from(CaseView)) == 0
    finally:
        event.remove(wf.db, "checkout", checkout)
        event.remove(wf.db, "checkin", checkin)
    with wf.db.connect() as conn:  # written when the read session closed
        assert conn.scalar(select(func.count()).select_from(CaseView).where(
            CaseView.channel == "list")) == 3
