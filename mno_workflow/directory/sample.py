"""Loading of the illustrative Burkina Faso sample directory (invented organisations and contacts) for demos.

The sample lives in ``sops/burkina_faso/directory/`` of the repository, shipped in the package: a
CSV package of about 15 organisations and 28 services covering the 17 regions and every need category.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from mno_workflow.directory.hsds_io import ImportReport, import_package
from mno_workflow.resources import sample_directory

SAMPLE_DIR = sample_directory()  # shipped in the package (importlib.resources)


def load_sample(session: Session, path: Path | None = None, actor: str = "sample") -> ImportReport:
    """Import the sample directory into ``session`` (not committed); re-loading changes nothing.

    Raises FileNotFoundError if the sample folder is absent (installed package without sources),
    DirectoryImportError if it is invalid.
    """
    folder = Path(path) if path is not None else SAMPLE_DIR
    if not folder.is_dir():
        raise FileNotFoundError(f"sample directory not found: {folder}")
    return import_package(session, folder, actor=actor)
