"""Who acts on a case (:class:`Actor`, the sweeper's :data:`SWEEPER`) and what one ``fire`` did
(:class:`FireResult`). Re-exported by :mod:`mno_workflow.engine.engine`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    """Who fires: a user id, the role they act in, and their organisation (for providers)."""

    user: str
    role: str
    organisation: str | None = None
    via: str | None = None  # which path acted (cli, …), recorded in the audit event
    os_user: str | None = None  # operating-system account of a CLI run

    @classmethod
    def parse(cls, text: str) -> Actor:
        """Parse ``user:role`` or ``user:role@organisation``. Raises ValueError whose argument is a
        catalogue message (``said_fr``: French as ``str``, ``text_in(e.args[0], lang)`` in another
        language), so every ``--as`` path prints it in the reader's language."""
        user, sep, rest = text.partition(":")
        role, _, org = rest.partition("@")
        if not sep or not user or not role:
            from ..sop.diagnostics import said_fr
            raise ValueError(said_fr("attendu UTILISATEUR:ROLE ou UTILISATEUR:ROLE@ORGANISATION, "
                                     "reçu « {text} »", text=text))
        return cls(user, role, org or None)

    def trace(self) -> dict[str, str | None]:
        """``via`` and ``os_user`` for the audit event (None when not told)."""
        return {"via": self.via, "os_user": self.os_user}


SWEEPER = Actor("mno.sweeper", "system")  # who fires automatic triggers on expiry (audited as such)


@dataclass
class FireResult:
    """What one ``fire`` did. ``started`` lists ``step:key`` instances the flow started."""

    reference: str
    step: str
    instance: str
    trigger: str
    from_state: str
    to_state: str
    version: int
    started: list[str] = field(default_factory=list)
    case_closed: bool = False
    #: the region an edit moved the case from (engine/region_move.py), else None
    region_from: str | None = None
