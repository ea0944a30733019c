"""The SOP workbench's work (no HTTP here): drafts stored in the database, diagnostics with the
codes of ``mno validate``, scenarios run on a draft (``mno test``), comparison with the published
version and publication with the migration of open cases in one transaction.

Drafts (table ``sop_drafts``): every save adds a revision with who and when; a draft starts
from the latest published version's text. Publication registers the draft's text as a new SOP
version and, when open cases run on the version it replaces, migrates them with the author's
plan (engine/versions.py) in the same transaction: all or nothing, audited per case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..sop.diagnostics import SOPError
from ..sop.loader import LoadedSOP, load_text
from ..store.models import Case, SopDraft, SopVersion

DRAFT_PATH = "brouillon.yaml"


@dataclass
class Check:
    """A draft's text checked: ``diagnostics`` (dicts: line, col, severity, code, message, hint),
    the loaded SOP when it has no error (None otherwise)."""

    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    loaded: LoadedSOP | None = None

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [d for d in self.diagnostics if d["severity"] == "error"]

    @property
    def shown(self) -> list[dict[str, Any]]:
        """Errors and warnings (an ``info`` is a warning the SOP accepts with a reason)."""
        return [d for d in self.diagnostics if d["severity"] in ("error", "warning")]

    def by_line(self) -> dict[int, list[dict[str, Any]]]:
        out: dict[int, list[dict[str, Any]]] = {}
        for d in self.shown:
            out.setdefault(d["line"], []).append(d)
        return out


def check_text(text: str) -> Check:
    """Load and lint ``text`` as ``mno validate`` does (same codes; file ``brouillon.yaml``)."""
    from ..sop.lint import lint
    try:
        loaded = load_text(text, DRAFT_PATH)
    except SOPError as e:
        return Check([d.as_dict() for d in e.diagnostics])
    return Check([d.as_dict() for d in lint(loaded)], loaded)


def open_cases_by_version(s: Session) -> dict[int, int]:
    """``{sop_version_id: number of open cases}``."""
    q = select(Case.sop_version_id, func.count(Case.id)).where(Case.status == "open").group_by(
        Case.sop_version_id)
    return dict(s.execute(q).all())


def latest_revision(s: Session, draft: int) -> SopDraft | None:
    return s.scalar(select(SopDraft).where(SopDraft.draft == draft).order_by(SopDraft.revision.desc())
                    .limit(1))


def drafts(s: Session) -> list[SopDraft]:
    """The latest revision of every draft, newest first."""
    latest = (select(SopDraft.draft, func.max(SopDraft.revision).label("rev"))
              .group_by(SopDraft.draft).subquery())
    q = select(SopDraft).join(latest, (SopDraft.draft == latest.c.draft)
                              & (SopDraft.revision == latest.c.rev))
    return list(s.scalars(q.order_by(SopDraft.draft.desc())))


def new_draft(s: Session, sop_id: str, author: str, now: datetime) -> SopDraft:
    """A draft (revision 1) holding the text of ``sop_id``'s latest published version.
    Raises LookupError for an unknown SOP."""
    base = s.scalar(select(SopVersion).where(SopVersion.sop_id == sop_id).order_by(SopVersion.id.desc())
                    .limit(1))
    if base is None:
        raise LookupError(sop_id)
    number = (s.scalar(select(func.max(SopDraft.draft))) or 0) + 1
    row = SopDraft(draft=number, revision=1, sop_id=sop_id, base_version_id=base.id, source=base.source,
                   author=author, saved_at=now)
    s.add(row)
    s.flush()
    return row


def save(s: Session, draft: SopDraft, text: str, author: str, now: datetime) -> SopDraft:
    """Add a revision to ``draft`` (nothing when the text is unchanged). Raises ValueError when the
    draft was published."""
    if draft.published_version_id is not None:
        raise ValueError("published")
    if text == draft.source:
        return draft
    row = SopDraft(draft=draft.draft, revision=draft.revision + 1, sop_id=draft.sop_id,
                   base_version_id=draft.base_version_id, source=text, author=author, saved_at=now)
    s.add(row)
    s.flush()
    return row


def run_scenarios(loaded: LoadedSOP, base_path: str) -> dict[str, Any]:
    """Run the scenarios next to the published SOP file (``<folder>/scenarios``) on the draft, as
    ``mno test`` does. Returns ``{"ok", "found", "results": [ScenarioResult.as_dict()],
    "coverage": [Coverage.as_dict()]}``; ``found`` False when there is no scenario folder."""
    from ..kit.model import load_scenario
    from ..kit.runner import Runner, discover
    folder = Path(base_path).parent / "scenarios"
    files = discover([folder]) if folder.is_dir() else []
    if not files:
        return {"ok": True, "found": False, "results": [], "coverage": []}
    with Runner() as runner:
        for f in files:
            try:
                runner._sops[load_scenario(f).sop_path] = loaded  # the draft instead of the file
            except SOPError:
                pass  # reported by the run
        result = runner.run_paths(files)
        return {"ok": result.ok, "found": True, "results": [r.as_dict() for r in result.scenarios],
                "coverage": [c.as_dict() for c in result.coverage]}


def affected_cases(s: Session, base: SopVersion, new_sop) -> list[dict[str, Any]]:
    """Open cases of ``base`` with an instance in a state or step ``new_sop`` lacks:
    ``{"reference", "instance", "step", "state"}`` (they need a mapping)."""
    out = []
    cases = s.scalars(select(Case).where(Case.sop_version_id == base.id, Case.status == "open")
                      .order_by(Case.id))
    for case in cases:
        for inst in case.instances:
            step = new_sop.steps.get(inst.step)
            if step is None or inst.state not in step.states:
                out.append({"reference": case.reference, "instance": inst.label_key, "step": inst.step,
                            "state": inst.state})
    return out


def publish(wf, draft: SopDraft, mapping: dict[str, str], rule: str, actor, *, dry_run: bool):
    """Register the draft's text as a new version and migrate the open cases of the version it
    started from, in one transaction (rolled back on ``dry_run`` or any error). Returns
    ``(version label, MigrationPlan)``. Raises SOPError (draft invalid), SOPVersionConflict,
    MigrationRefused and what the migration raises."""
    from ..engine.versions import migrate_in_session
    loaded = load_text(draft.source, DRAFT_PATH)
    now = wf._now()
    from ..engine.errors import Message
    from ..engine.versions import MigrationRefused
    registered: list[int] = []
    try:
        with wf.sessions.begin() as s:
            base = s.get(SopVersion, draft.base_version_id)
            if loaded.model.sop != base.sop_id:
                raise MigrationRefused(Message.t(
                    "Le brouillon s'appelle « {sop} » : une nouvelle version de {sop_id} doit garder cet "
                    "identifiant.",
                    sop=loaded.model.sop, sop_id=base.sop_id))
            row = wf.registry.register(s, loaded, now)
            registered.append(row.id)
            target = f"{row.sop_id}@{row.version}"
            plan = migrate_in_session(wf, s, f"{base.sop_id}@{base.version}", target, mapping, actor,
                                      rule=rule)
            if dry_run:
                s.rollback()
            else:
                fresh = s.get(SopDraft, draft.id)
                fresh.published_version_id = row.id
    except Exception:
        wf.registry.forget(registered)
        raise
    if dry_run:
        wf.registry.forget(registered)  # the id may be given again to another version
    return target, plan
