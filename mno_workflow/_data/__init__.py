"""Package data kept outside the package folder: ``sops`` is a symbolic link to the repository's
top-level ``sops/`` folder, copied into the wheel; read it through :mod:`mno_workflow.resources`."""
