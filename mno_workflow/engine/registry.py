"""Registers SOP versions in the database and keeps one compiled SOP per version in memory."""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..sop.loader import LoadedSOP, load_stored
from ..store.models import Case, SopVersion
from .compile import CompiledSOP, compile_sop
from .errors import EngineError, Message, SOPNotFound


class SOPVersionConflict(EngineError):
    """The same SOP id and version were loaded before with different content."""

    code, http_status = "sop_version_conflict", 409


class Registry:
    """Compiled SOPs by ``SopVersion.id``; safe to share between threads."""

    def __init__(self) -> None:
        self._compiled: dict[int, CompiledSOP] = {}
        self._lock = threading.Lock()

    def register(self, session: Session, loaded: LoadedSOP, now: datetime) -> SopVersion:
        """Store ``loaded`` as a version (idempotent for identical text).

        Raises :class:`SOPVersionConflict` when that id and version exist with other content:
        a changed SOP is a new version (DESIGN.md "Versioning")."""
        m = loaded.model
        row = session.scalar(select(SopVersion).where(SopVersion.sop_id == m.sop,
                                                      SopVersion.version == m.version))
        if row is not None:
            if row.sha256 != loaded.sha256 and not self._same(row, loaded):
                raise SOPVersionConflict(Message.t(
                    "La POS {sop} version {version} existe déjà avec un autre contenu : changez le numéro "
                    "de version.",
                    sop=m.sop, version=m.version))
            if row.sha256 != loaded.sha256:
                self._add_narrative(row, loaded)
            return row
        row = SopVersion(sop_id=m.sop, version=m.version, title=m.label(m.title, "fr"),
                         source_path=loaded.path, source=loaded.source, sha256=loaded.sha256,
                         loaded_at=now)
        if loaded.files:  # unset otherwise: the INSERT names no column an older schema lacks
            row.files = dict(loaded.files)
        session.add(row)
        session.flush()
        with self._lock:
            self._compiled[row.id] = compile_sop(m)
        return row

    @staticmethod
    def _same(row: SopVersion, loaded: LoadedSOP) -> bool:
        """Whether ``row`` holds ``loaded`` though their digests differ: the same text but for
        its line ends (a CRLF file registered before files were kept byte for byte was stored
        with LF), or an SOP with imports registered before its files were kept (revision 0023:
        the merged text, which the same files give again). In both cases the narrative files
        (``narrative: [..]``) a version registered before they were stored lacks do not count
        (:mod:`mno_workflow.engine.narrative_backfill`)."""
        from .narrative_backfill import without_new_narrative
        files = without_new_narrative(row, loaded)
        if row.source.replace("\r\n", "\n") == loaded.source.replace("\r\n", "\n"):
            return dict(row.files or {}) == files
        return bool(loaded.resolved) and not row.files and row.source == loaded.resolved

    def _add_narrative(self, row: SopVersion, loaded: LoadedSOP) -> None:
        """Store into ``row`` (same SOP, see :meth:`_same`) the narrative files it was registered
        without, and forget its compiled SOP (built without them)."""
        from .narrative_backfill import add_narrative
        if add_narrative(row, loaded):
            self.forget([row.id])

    def forget(self, ids) -> None:
        """Drop compiled versions ``ids`` (registered in a transaction rolled back since: their
        ids may be given to other versions)."""
        with self._lock:
            for i in ids:
                self._compiled.pop(i, None)

    def latest(self, session: Session, sop_id: str) -> SopVersion:
        """The most recently loaded version of ``sop_id``. Raises :class:`SOPNotFound`."""
        row = session.scalar(select(SopVersion).where(SopVersion.sop_id == sop_id)
                             .order_by(SopVersion.id.desc()).limit(1))
        if row is None:
            raise SOPNotFound(Message.t(
                "POS inconnue : {sop_id}. Chargez-la avec « mno sop load ».",
                sop_id=sop_id))
        return row

    def for_case(self, case: Case) -> CompiledSOP:
        """The compiled SOP a case runs on; from the cache by version id, without loading the
        stored SOP text (only a cache miss reads it)."""
        hit = self._compiled.get(case.sop_version_id)
        return hit if hit is not None else self.compiled(case.sop_version)

    def compiled_id(self, session: Session, version_id: int) -> CompiledSOP:
        """The compiled SOP of the stored version ``version_id``, from the cache (the version's text
        is read only on a miss)."""
        hit = self._compiled.get(version_id)
        return hit if hit is not None else self.compiled(session.get(SopVersion, version_id))

    def compiled(self, row: SopVersion) -> CompiledSOP:
        """The compiled SOP of a stored version (compiled on first use from its source)."""
        hit = self._compiled.get(row.id)
        if hit is None:
            loaded = load_stored(row)
            hit = compile_sop(loaded.model)
            with self._lock:
                self._compiled.setdefault(row.id, hit)
        return hit
