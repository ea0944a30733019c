"""The values an *edit* action's form opens with on the page (an ``internal`` transition that
re-fills the forms that brought its step into the current state)."""

from __future__ import annotations


def edit_values(sop, case, inst, tr) -> dict | None:
    """The values an *edit* opens with on the page: an ``internal`` transition whose forms are
    those that brought the step into its current state (BF SOP « Modifier la portée du
    consentement »: the consent form of « Enregistrer le consentement ») opens with the data in
    force, so that the caseworker changes one part without typing the rest again, nor narrowing
    or widening another part by mistake (tryout 4, G5). The fields with ``default: today`` are
    left out: they take the day of this change. An edit with a form of its own beside them (BF SOP
    « Rectifier l'identification »: ``form: [identification, rectification]``, tryout 9, L5) opens
    that one empty. None for any other transition (a new immediate
    need opens empty). The API and the CLI are unchanged: a payload is the whole form."""
    if not tr.internal:
        return None
    step = sop.steps[inst.step]
    edited = {f for x in step.transitions if x.dest == inst.state for f in x.forms}
    if not set(tr.forms) & edited:
        return None
    out = {}
    for fid in tr.forms:
        if fid not in edited:  # the edit's own form (« Motif de la rectification »): opens empty
            out[fid] = {}
            continue
        data = (case.data or {}).get(fid) or (inst.data or {}).get(fid)
        if not isinstance(data, dict) or not data:
            return None
        today = {f.id for f in sop.forms[fid].fields if getattr(f, "default", None) == "today"}
        out[fid] = {k: v for k, v in data.items()  # an erased value (a marker) is not typed again
                    if k not in today and not str(k).startswith("$") and not isinstance(v, dict)}
    return out[tr.forms[0]] if len(tr.forms) == 1 else out


def rebased(tr, payload: dict, events, expected: int | None, case) -> dict:
    """An edit's input kept on its stale page (tryout 10, M8), set on the case as it is now: a field
    another edit changed since version ``expected`` (its event's replaced values, engine/
    change_words.py) and that this input left as it was then takes its value now, so that sending
    the form again does not silently undo that other edit; a field both changed keeps this input.
    ``payload`` as the page posted it (one form's fields, or ``{form_id: fields}``)."""
    from ..engine.change_words import KEY

    if not tr.internal or not payload or expected is None or not tr.forms:
        return payload
    multi = len(tr.forms) > 1
    out = {fid: dict(v) if isinstance(v, dict) else v
           for fid, v in (payload if multi else {tr.forms[0]: payload}).items()}
    seen: set[tuple[str, str]] = set()
    for ev in events:
        before = (ev.data or {}).get(KEY) if ev.seq > expected and isinstance(ev.data, dict) else None
        for fid, old in (before or {}).items():
            mine, now = out.get(fid), (case.data or {}).get(fid)
            if not isinstance(mine, dict) or not isinstance(old, dict) or not isinstance(now, dict):
                continue
            for k, base in old.items():
                if (fid, k) not in seen and mine.get(k) == base and not isinstance(now.get(k), dict):
                    mine[k] = now.get(k)  # the value seen then, untouched here: the value now
                seen.add((fid, k))
    return out if multi else out[tr.forms[0]]
