"""Allows ``python -m mno_workflow`` as an alias of the ``mno`` command."""

from .cli import main

main()
