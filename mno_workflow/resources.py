"""Where the files shipped inside the package are, found with :mod:`importlib.resources` (so an
installed wheel works from any folder): the Burkina Faso SOP with its scenarios, examples and
sample service directory (``mno_workflow/_data/sops``, a copy of the repository's ``sops/``).

The package must be installed as files (a wheel or ``pip install -e``), not imported from a zip.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def package_dir() -> Path:
    """The folder of the installed ``mno_workflow`` package."""
    return Path(str(files("mno_workflow")))


def sops_dir() -> Path:
    """The shipped SOPs folder (one sub-folder per SOP, e.g. ``burkina_faso``)."""
    return Path(str(files("mno_workflow") / "_data" / "sops"))


def bf_dir() -> Path:
    """The Burkina Faso SOP folder: ``mnr.yaml``, ``scenarios/``, ``examples/``, ``directory/``."""
    return sops_dir() / "burkina_faso"


def bf_sop() -> Path:
    """The Burkina Faso SOP file (``mnr.yaml``), the reference SOP of the demo."""
    return bf_dir() / "mnr.yaml"


def sample_directory() -> Path:
    """The illustrative service directory (HSDS CSV package, invented organisations)."""
    return bf_dir() / "directory"
