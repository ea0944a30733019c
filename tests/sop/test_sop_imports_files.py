"""``imports:`` resolved file by file (issue 14): nested imports, the files kept as written,
resolution from stored files only, and bad paths (outside the SOP folder, absolute, missing,
cycles) refused with ``file:line:col``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mno_workflow.sop.diagnostics import SOPError
from mno_workflow.sop.imports import ImportPathError, content_sha256, normalize
from mno_workflow.sop.loader import load_file, load_text

from .test_imports_and_flow_conditions import SHARED, SOP

OPTIONS = "options:\n  priority:\n    emergency: {fr: Urgence vitale, en: Emergency}\n"
FORMS = """\
imports: [listes/options.yaml]
forms:
  note:
    title: {fr: Note, en: Note}
    fields:
      - {id: text, type: text, required: true, label: {fr: Texte, en: Text}}
      - {id: priority, type: choice, options: priority, label: {fr: Priorité, en: Priority}}
"""


def tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return root / "regional.yaml"


def nested(root: Path) -> Path:
    return tree(root, {"regional.yaml": SOP.replace("[shared.yaml]", "[commun/forms.yaml]"),
                       "commun/forms.yaml": FORMS, "commun/listes/options.yaml": OPTIONS})


def test_nested_imports_are_relative_to_the_importing_file_and_all_kept(tmp_path):
    loaded = load_file(nested(tmp_path))
    assert set(loaded.model.options["priority"]) == {"emergency"}
    assert loaded.files == {"commun/forms.yaml": FORMS, "commun/listes/options.yaml": OPTIONS}
    assert loaded.sha256 == content_sha256(loaded.source, loaded.files) != content_sha256(loaded.source)


def test_a_stored_version_reads_its_own_files_never_the_disk(tmp_path):
    loaded = load_file(nested(tmp_path))
    (tmp_path / "commun" / "listes" / "options.yaml").write_text(
        OPTIONS.replace("Urgence vitale", "Changé"), encoding="utf-8")
    (tmp_path / "commun" / "forms.yaml").unlink()
    again = load_text(loaded.source, str(tmp_path / "regional.yaml"), files=loaded.files)
    assert again.model.options["priority"]["emergency"]["fr"] == "Urgence vitale"
    assert again.sha256 == loaded.sha256 and again.files == loaded.files
    # and a changed file on the disk is another SOP (another digest)
    (tmp_path / "commun" / "forms.yaml").write_text(FORMS, encoding="utf-8")
    assert load_file(tmp_path / "regional.yaml").sha256 != loaded.sha256


def test_imported_files_keep_their_bytes_crlf_included(tmp_path):
    crlf = SHARED.replace("\n", "\r\n")
    path = tree(tmp_path, {"regional.yaml": SOP, "shared.yaml": crlf.encode("utf-8")})
    assert load_file(path).files == {"shared.yaml": crlf}


def test_an_error_in_a_nested_file_names_that_file_and_line(tmp_path):
    path = nested(tmp_path)
    (tmp_path / "commun" / "listes" / "options.yaml").write_text(
        "options:\n  priority:\n    emergency: {fr: Urgence vitale}\n", encoding="utf-8")
    with pytest.raises(SOPError) as info:
        load_file(path)
    where = {(d.path, d.line) for d in info.value.diagnostics}
    assert (str(tmp_path / "commun" / "listes" / "options.yaml"), 3) in where


@pytest.mark.parametrize("entry,reason", [
    ("../../etc/passwd", "leads out of the SOP's folder"),
    ("../shared.yaml", "leads out of the SOP's folder"),
    ("commun/../../x.yaml", "leads out of the SOP's folder"),
    ("/etc/passwd", "absolute path"),
    ("C:/pos/shared.yaml", "absolute path"),
    ("commun\\\\shared.yaml", "absolute path"),
    ("absent.yaml", "file not found"),
])
def test_bad_import_paths_are_e037_at_their_entry(tmp_path, entry, reason):
    path = tree(tmp_path / "pos", {"regional.yaml": SOP.replace("[shared.yaml]", f'["{entry}"]'),
                                   "shared.yaml": SHARED})
    (tmp_path / "shared.yaml").write_text(SHARED, encoding="utf-8")  # exists, but outside
    with pytest.raises(SOPError) as info:
        load_file(path)
    [d] = info.value.diagnostics
    assert (d.code, d.path, d.line, d.col) == ("E037", str(path), 3, 11)
    assert reason in d.message and d.format().startswith(f"{path}:3:11: error E037")


def test_a_link_out_of_the_sop_folder_is_refused(tmp_path):
    (tmp_path / "secret.yaml").write_text(SHARED, encoding="utf-8")
    path = tree(tmp_path / "pos", {"regional.yaml": SOP})
    os.symlink(tmp_path / "secret.yaml", tmp_path / "pos" / "shared.yaml")
    with pytest.raises(SOPError) as info:
        load_file(path)
    assert "link that leads out" in info.value.diagnostics[0].message


def test_stored_files_missing_an_import_is_e037(tmp_path):
    with pytest.raises(SOPError) as info:
        load_text(SOP, "stored/regional.yaml", files={})
    [d] = info.value.diagnostics
    assert (d.code, d.line) == ("E037", 3) and "not among the files of this SOP version" in d.message


@pytest.mark.parametrize("files,at", [
    ({"regional.yaml": SOP.replace("[shared.yaml]", "[regional.yaml]")}, ("regional.yaml", 3)),
    ({"regional.yaml": SOP, "shared.yaml": "imports: [b.yaml]\n" + SHARED,
      "b.yaml": "imports: [shared.yaml]\n"}, ("b.yaml", 1)),
])
def test_an_import_cycle_is_e037_where_it_closes(tmp_path, files, at):
    path = tree(tmp_path, files)
    with pytest.raises(SOPError) as info:
        load_file(path)
    [d] = info.value.diagnostics
    assert (d.code, d.path, d.line) == ("E037", str(tmp_path / at[0]), at[1])
    assert "import cycle" in d.message


def test_normalize():
    assert normalize("a/../b.yaml") == "b.yaml"
    assert normalize("x.yaml", "commun/forms.yaml") == "commun/x.yaml"
    assert normalize("../x.yaml", "commun/forms.yaml") == "x.yaml"
    for bad in ("", "..", ".", "../a.yaml", "~/a.yaml", 3):
        with pytest.raises(ImportPathError):
            normalize(bad)


def test_the_bf_sop_split_in_three_files_is_the_same_sop(tmp_path):
    """The shipped SOP with its forms and option lists moved to imported files loads to the same
    model and the same lint codes, and every diagnostic names an existing file."""
    import shutil

    from mno_workflow.sop.lint import lint

    from ..engine.sop_variants import dump, parse
    bf = Path(__file__).resolve().parents[2] / "sops" / "burkina_faso"
    whole = load_file(bf / "mnr.yaml")
    doc = parse((bf / "mnr.yaml").read_text(encoding="utf-8"))
    forms, options = doc.pop("forms"), doc.pop("options")
    doc = {"imports": ["commun/formulaires.yaml", "commun/listes.yaml"], **doc}
    shutil.copy(bf / "narrative.yaml", tmp_path / "narrative.yaml")
    tree(tmp_path, {"mnr.yaml": dump(doc), "commun/formulaires.yaml": dump({"forms": forms}),
                    "commun/listes.yaml": dump({"options": options})})
    split = load_file(tmp_path / "mnr.yaml")
    assert split.model.forms == whole.model.forms and split.model.options == whole.model.options
    assert split.model.steps == whole.model.steps
    # the listed narrative file is one of the SOP's files too (issue 14: stored with the version)
    assert set(split.files) == {"commun/formulaires.yaml", "commun/listes.yaml", "narrative.yaml"}
    codes = sorted(d.code for d in lint(split))
    assert codes == sorted(d.code for d in lint(whole))
    for d in lint(split):
        assert Path(d.path).is_file() and d.line <= len(Path(d.path).read_text().splitlines())


def test_an_imported_list_where_a_mapping_is_expected_is_e037_in_that_file(tmp_path):
    path = tree(tmp_path, {"regional.yaml": SOP, "shared.yaml": "options: {}\nforms:\n  - note\n"})
    with pytest.raises(SOPError) as info:
        load_file(path)
    [d] = info.value.diagnostics
    assert (d.code, d.path, d.line) == ("E037", str(tmp_path / "shared.yaml"), 3)
    assert "'forms' of an imported file must be a mapping" in d.message


def test_normalize_never_leaves_the_folder():
    """Property: whatever the entry and the importing file, a path ``normalize`` accepts stays
    inside the SOP folder once joined to it (hypothesis)."""
    import posixpath

    from hypothesis import given, settings
    from hypothesis import strategies as st

    part = st.sampled_from(["..", ".", "a", "b.yaml", "", "~", "C:", "x\\\\y", "/"])
    entry = st.lists(part, min_size=1, max_size=6).map("/".join)

    @settings(max_examples=400, deadline=None)
    @given(entry, st.lists(st.sampled_from(["a", "b", "c"]), max_size=3))
    def check(text, folders):
        importer = "/".join([*folders, "f.yaml"])
        try:
            rel = normalize(text, importer)
        except ImportPathError:
            return
        joined = posixpath.normpath(posixpath.join("/root", rel))
        assert joined.startswith("/root/") and not posixpath.isabs(rel) and "\\\\" not in rel

    check()
