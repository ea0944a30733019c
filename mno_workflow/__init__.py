"""MNO Workflow: executable SOPs for national referral mechanisms (engine, web UI, API, CLI)."""

__version__ = "0.1.0"
