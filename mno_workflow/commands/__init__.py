"""The ``mno`` commands, one small module each; ``mno_workflow.cli`` loads a module only when its
command runs (see the registry at the top of ``cli.py``)."""
