"""The SOP workbench's work (no HTTP here): drafts stored in the database, diagnostics with the
codes of ``mno validate``, scenarios run on a draft (``mno test``), comparison with the published
version and publication with the migration of open cases in one transaction.

Drafts (table ``sop_drafts``): every save adds a revision with who and when; a draft starts
from the latest published version's text and carries its files (``sop_drafts.files``): the
scenarios (``scenarios/…``: those the version was published with, kept in the draft that
became it, else the folder next to its file), the files the SOP imports (``imports:``, e.g.
``commun/forms.yaml``) and the narrative files it lists (``narrative: [narrative.yaml]``),
copied from the published version's stored files, each edited on its own tab. A draft's
imports and narrative files are resolved from its files only, never from the disk.

Publication registers the draft's text and files as a new SOP version and, when open cases run
on the version it replaces, migrates them with the author's plan (engine/versions.py) in the
same transaction: all or nothing, audited per case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..sop.diagnostics import SaidFr, SOPError, text_in
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

    def by_line(self, file: str = "") -> dict[int, list[dict[str, Any]]]:
        """Errors and warnings of ``file`` (a draft file's path; ``""``: the main text) by line."""
        out: dict[int, list[dict[str, Any]]] = {}
        for d in self.shown:
            if d["path"] == (file or DRAFT_PATH):
                out.setdefault(d["line"], []).append(d)
        return out


def sop_files(files: dict[str, str] | None) -> dict[str, str]:
    """The SOP's own files among a draft's files (all but the scenarios): ``{path: text}``."""
    return {k: v for k, v in (files or {}).items() if not k.startswith("scenarios/")}


def check_text(text: str, files: dict[str, str] | None = None, main: str = DRAFT_PATH) -> Check:
    """Load and lint ``text`` as ``mno validate`` does (same codes), its ``imports:`` and
    ``narrative:`` files read from ``files`` (the draft's files; never the disk). ``main``: the
    main file's real name (the published version's, e.g. ``mnr.yaml``: messages such as an import
    cycle name it). A diagnostic's ``path`` is ``brouillon.yaml`` for the main text (the editor's
    name for it) or the draft file's path (``commun/x.yaml``)."""
    from ..sop.lint import lint
    main = Path(main).name or DRAFT_PATH
    try:
        loaded = load_text(text, main, files=sop_files(files))
        diags = lint(loaded)
    except SOPError as e:
        loaded, diags = None, e.diagnostics
    out = [{**d.as_dict(), "path": DRAFT_PATH} if d.path == main else d.as_dict() for d in diags]
    return Check(out, loaded)


def main_name(s: Session, draft: SopDraft) -> str:
    """The file name of the version ``draft`` started from (``mnr.yaml``), else ``brouillon.yaml``."""
    base = s.get(SopVersion, draft.base_version_id)
    return Path(base.source_path or "").name or DRAFT_PATH if base is not None else DRAFT_PATH


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


SCENARIO_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,60}\.ya?ml$")


def published_scenarios(source_path: str) -> dict[str, str]:
    """``{"scenarios/<name>.yaml": text}`` of the scenario folder next to the published SOP file
    (``<folder>/scenarios``), as a new draft carries them; ``{}`` when there is none or it cannot
    be read (the workbench then says "no scenario")."""
    folder = Path(source_path).parent / "scenarios"
    out: dict[str, str] = {}
    if not folder.is_dir():
        return out
    for f in sorted(folder.iterdir()):
        if f.is_file() and SCENARIO_NAME.match(f.name):
            try:
                out[f"scenarios/{f.name}"] = f.read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
    return out


def version_scenarios(s: Session, version: SopVersion) -> dict[str, str]:
    """``{"scenarios/<name>.yaml": text}``: the scenarios ``version`` was published with. A
    version published from the workbench keeps them in the revision of the draft that became it
    (``sop_drafts.published_version_id``; the latest such draft when several gave the same text),
    as they passed at publication, removals included; a version loaded from a file
    (``mno sop load``) has the scenario folder next to that file (:func:`published_scenarios`)."""
    kept = kept_scenarios(s, version)
    return published_scenarios(version.source_path) if kept is None else kept


def kept_scenarios(s: Session, version: SopVersion) -> dict[str, str] | None:
    """``{"scenarios/<name>.yaml": text}`` kept in the draft that became ``version`` (the latest
    such draft), each with ``sop: ../<published file>`` as :func:`run_scenarios` ran it; None for
    a version not published from the workbench (``mno sop export`` writes them beside the SOP)."""
    row = s.scalar(select(SopDraft).where(SopDraft.published_version_id == version.id)
                   .order_by(SopDraft.id.desc()).limit(1))
    if row is None:
        return None
    return {k: v for k, v in (row.files or {}).items() if k.startswith("scenarios/")}


def new_draft(s: Session, sop_id: str, author: str, now: datetime) -> SopDraft:
    """A draft (revision 1) holding the text of ``sop_id``'s latest published version, the files
    it imports as that version stored them, and a copy of the scenarios that version was
    published with (:func:`version_scenarios`; the draft's own from then on). Raises LookupError
    for an unknown SOP."""
    base = s.scalar(select(SopVersion).where(SopVersion.sop_id == sop_id).order_by(SopVersion.id.desc())
                    .limit(1))
    if base is None:
        raise LookupError(sop_id)
    number = (s.scalar(select(func.max(SopDraft.draft))) or 0) + 1
    stored = {**version_scenarios(s, base), **(base.files or {})}
    row = SopDraft(draft=number, revision=1, sop_id=sop_id, base_version_id=base.id, source=base.source,
                   author=author, saved_at=now, files={**stored, **unstored_narrative(base)} or None)
    s.add(row)
    s.flush()
    return row


def unstored_narrative(base: SopVersion) -> dict[str, str]:
    """``{path: text}`` of the narrative files a version registered before they were stored lacks
    (engine/narrative_backfill.py), from the folder of its file as the scenarios are: a new
    draft starts from them (the author sees and edits them on their tabs); ``{}`` when it lacks
    none or they cannot be read (the draft then shows E037 at its ``narrative`` entry)."""
    from ..sop.listed_narrative import unstored
    from ..sop.loader import load_stored
    try:
        missing = unstored(load_stored(base).model)
    except SOPError:
        return {}
    out: dict[str, str] = {}
    folder = Path(base.source_path).parent
    for rel in missing:
        try:
            out[rel] = (folder / rel).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
    return out


def keep_line_ends(text: str, like: str) -> str:
    """``text`` with the line ends of ``like``: a browser sends a textarea with CRLF whatever the
    author's file had, and the editor works with LF; the draft keeps the line ends it started
    with (CRLF when ``like`` has any, LF otherwise), so an unchanged text stays byte for byte."""
    lf = text.replace("\r\n", "\n")
    return lf.replace("\n", "\r\n") if "\r\n" in like else lf


def save(s: Session, draft: SopDraft, text: str, author: str, now: datetime,
         files: dict[str, str] | None = None) -> SopDraft:
    """Add a revision to ``draft`` with ``text`` (with the draft's line ends, see
    :func:`keep_line_ends`) and ``files`` (None: the draft's files unchanged); nothing when both
    are unchanged. Raises ValueError when the draft was published."""
    if draft.published_version_id is not None:
        raise ValueError("published")
    text = keep_line_ends(text, draft.source)
    files = dict(draft.files or {}) if files is None else files
    if text == draft.source and files == dict(draft.files or {}):
        return draft
    row = SopDraft(draft=draft.draft, revision=draft.revision + 1, sop_id=draft.sop_id,
                   base_version_id=draft.base_version_id, source=text, author=author, saved_at=now,
                   files=files or None)
    s.add(row)
    s.flush()
    return row


def save_scenario(s: Session, draft: SopDraft, name: str, text: str, author: str, now: datetime) -> SopDraft:
    """A revision of ``draft`` with scenario ``name`` (``x.yaml``) set to ``text``; an empty text
    removes it. Raises ValueError (``name``) for a name other than ``[a-z0-9_-].yaml``."""
    if not SCENARIO_NAME.match(name):
        raise ValueError("name")
    files = dict(draft.files or {})
    if text.strip():
        files[f"scenarios/{name}"] = keep_line_ends(text, files.get(f"scenarios/{name}", ""))
    else:
        files.pop(f"scenarios/{name}", None)
    return save(s, draft, draft.source, author, now, files)


def save_file(s: Session, draft: SopDraft, rel: str, text: str, author: str, now: datetime) -> SopDraft:
    """A revision of ``draft`` with its SOP file ``rel`` (a path the SOP imports, e.g.
    ``commun/forms.yaml``; a new one is added) set to ``text`` with that file's line ends; an
    empty text removes it. Raises ValueError (``path``) for a path outside the SOP folder, under
    ``scenarios/`` or named like the main file, and (``published``) for a published draft."""
    from ..sop.imports import ImportPathError, normalize
    try:
        key = normalize(rel)
    except ImportPathError:
        raise ValueError("path") from None
    if key != rel or key.startswith("scenarios/") or key == DRAFT_PATH or not key.endswith(
            (".yaml", ".yml")):
        raise ValueError("path")
    files = dict(draft.files or {})
    if text.strip():
        files[key] = keep_line_ends(text, files.get(key, ""))
    else:
        files.pop(key, None)
    return save(s, draft, draft.source, author, now, files)


def run_scenarios(draft: SopDraft, base_path: str) -> dict[str, Any]:
    """Run the draft's own scenarios (``draft.files`` under ``scenarios/``) on the draft's text, as
    ``mno test`` does: the text is written byte for byte under the published file's name in a
    temporary folder with the draft's files (its imported files too), so a scenario's
    ``sop: ../<file>.yaml`` names the draft. Returns ``{"ok", "found", "results":
    [ScenarioResult.as_dict()], "coverage": [Coverage.as_dict()]}``; ``found`` False when the
    draft has no scenario."""
    import tempfile

    from ..kit.runner import Runner, discover
    files = {k: v for k, v in (draft.files or {}).items() if k.startswith("scenarios/")}
    if not files:
        return {"ok": True, "found": False, "results": [], "coverage": []}
    with tempfile.TemporaryDirectory(prefix="mno-draft-") as tmp:
        root = Path(tmp)
        (root / (Path(base_path).name or "pos.yaml")).write_bytes(draft.source.encode("utf-8"))
        for rel, text in {**sop_files(draft.files), **files}.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))
        with Runner() as runner:
            result = runner.run_paths(discover([root / "scenarios"]))
            out = {"ok": result.ok, "found": True, "results": [r.as_dict() for r in result.scenarios],
                   "coverage": [c.as_dict() for c in result.coverage]}
        return _named(out, root)


class _InFolder(SaidFr):
    """A result's message (« POS invalide : <path> ») in the reader's language, a file of the
    temporary folder named by its place in the draft, as :func:`_named` names the results'. A
    ``str`` (its French text) like every message of a run, JSON and ``in`` included."""

    root: str

    def __new__(cls, message: Any, root: str) -> _InFolder:
        obj = str.__new__(cls, cls._cut(text_in(message, "fr"), root))
        obj.msgid, obj.params, obj.root = "{message}", {"message": message}, root
        return obj

    @staticmethod
    def _cut(text: str, root: str) -> str:
        return text.replace(f"{root}/scenarios/", "").replace(f"{root}/", "")

    def text(self, lang: str | None = None) -> str:
        return self._cut(text_in(self.params["message"], lang or "fr"), self.root)


def _named(run: dict[str, Any], root: Path) -> dict[str, Any]:
    """``run`` with every file named as the author knows it, never by the temporary folder it ran
    in: a scenario by its name under « Scénarios du brouillon » (``01_x.yaml``), another file by
    its path in the SOP's folder (``mnr.yaml``, ``commun/forms.yaml``) (tryout 5, H9)."""
    def name(path: Any) -> Any:
        try:
            rel = Path(str(path)).resolve().relative_to(root.resolve())
        except (ValueError, OSError):
            return path
        parts = rel.parts[1:] if rel.parts[:1] == ("scenarios",) and len(rel.parts) > 1 else rel.parts
        return "/".join(parts)

    for r in run["results"]:
        r["path"] = name(r["path"])
        for f in r["failures"] + r["warnings"]:
            f["path"] = name(f["path"])
            f["message"] = _InFolder(f["message"], str(root))
    for c in run["coverage"]:
        c["path"] = name(c["path"])
    return run


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
    """Register the draft's text (and the files it imports, as the draft holds them) as a new
    version, under the file name of the version it started from (``mno sop export`` writes the
    same names), and migrate the open cases of the version it started from, in one transaction
    (rolled back on ``dry_run`` or any error). Returns ``(version label, MigrationPlan)``.
    Raises SOPError (draft invalid), SOPVersionConflict, MigrationRefused and what the migration
    raises."""
    from ..engine.versions import migrate_in_session
    with wf.sessions() as s:
        path = s.get(SopVersion, draft.base_version_id).source_path or DRAFT_PATH
    loaded = load_text(draft.source, path, files=sop_files(draft.files))
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
