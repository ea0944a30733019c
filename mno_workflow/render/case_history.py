"""The diagram of one step instance of a case across SOP versions (before and after migrations).

A case that was migrated took part of its path under an older SOP version, whose states may
have been renamed or removed since. The diagram is then drawn in segments, top to bottom: the
path in the version it was taken (current state circled: the state at migration), a caption
"Migration 2025.1 → 2025.2 : Envoyé → Transmis", then the next version with the rest of the
path. A state the segment's SOP lacks is left out of its path instead of failing (never a 500).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

from ..engine.event_sops import sop_for_event, state_label
from ..i18n import gettext
from ..sop.schema import SOP
from ..store.models import AuditEvent
from . import diagrams


@dataclass
class Segment:
    """A stretch of the instance's path under one SOP version; ``caption`` says how it ended
    (the migration that followed), None for the last one."""

    sop: SOP
    path: list[tuple[str, str, str]] = field(default_factory=list)
    current: str | None = None
    caption: str | None = None


def segments(events: Sequence[AuditEvent], current_sop: SOP, step_id: str, key: str,
             current_state: str | None, lang: str = "fr") -> list[Segment]:
    """Split the path of instance ``step_id:key`` at each ``migrate`` event of ``events``."""
    label = f"{step_id}:{key}"
    segs: list[Segment] = []
    seg: Segment | None = None
    state: str | None = None
    for ev in events:
        sop = sop_for_event(ev, current_sop)
        if seg is None:
            seg = Segment(sop)
        if ev.action == "migrate":
            change = next((c for c in (ev.data or {}).get("states") or []
                           if c.get("instance") == label), None)
            if state is not None:
                before = change["from"] if change else state
                after = change["to"] if change else state
                seg.current = before
                seg.caption = gettext("Migration {old} → {new} : {before} → {after}", lang,
                                      old=(ev.data or {}).get("from"), new=(ev.data or {}).get("to"),
                                      before=state_label(seg.sop, step_id, before, lang),
                                      after=state_label(sop, step_id, after, lang))
                segs.append(seg)
                state = after
            seg = Segment(sop)
            continue
        for eff in ev.effects or []:
            if eff.get("started") == label and step_id in sop.steps:
                state = sop.steps[step_id].initial_state
        if ev.step == step_id and ev.instance_key == key and ev.from_state and ev.to_state and \
                ev.action in ("fire", "correct"):
            seg.path.append((ev.from_state, ev.trigger or "", ev.to_state))
            state = ev.to_state
    last = seg or Segment(current_sop)
    last.sop, last.current = current_sop, current_state
    segs.append(last)
    for s in segs:  # never fail on a state the segment's SOP lacks: leave it out of the drawing
        states = s.sop.steps[step_id].states if step_id in s.sop.steps else {}
        s.path = [p for p in s.path if p[0] in states and p[2] in states]
        if s.current not in states:
            s.current = None
    return [s for s in segs if step_id in s.sop.steps]


_SVG_OPEN = re.compile(r"<svg\b[^>]*>", re.S)
_NUM = r"([0-9.]+)(?:pt)?"


def _size(svg: str) -> tuple[float, float]:
    head = _SVG_OPEN.search(svg).group(0)
    w = re.search(r'width="' + _NUM + '"', head)
    h = re.search(r'height="' + _NUM + '"', head)
    return float(w.group(1)), float(h.group(1))


def stack_svgs(parts: Sequence[bytes], captions: Sequence[str | None]) -> bytes:
    """One SVG with ``parts`` (Graphviz SVGs, sizes in pt) stacked top to bottom, each followed
    by its caption (when not None) in a band with a downward arrow."""
    band = 44.0
    y, body, width = 0.0, [], 0.0
    for svg_bytes, caption in zip(parts, captions, strict=True):
        svg = svg_bytes.decode("utf-8")
        svg = svg[svg.index("<svg"):]
        w, h = _size(svg)
        head = _SVG_OPEN.search(svg).group(0)
        head2 = re.sub(r'\s(width|height)="[^"]*"', "", head)
        head2 = head2.replace("<svg", f'<svg x="0" y="{y:.2f}" width="{w:.2f}" height="{h:.2f}"', 1)
        body.append(svg.replace(head, head2, 1))
        width = max(width, w)
        y += h
        if caption:
            body.append(f'<g class="mno-migration"><text x="12" y="{y + 18:.2f}" font-family="sans-serif" '
                        f'font-size="14" font-weight="bold" fill="#8A4B00">⬇ {escape(caption)}</text>'
                        f'<line x1="8" y1="{y + 30:.2f}" x2="{max(width, 400) - 8:.2f}" y2="{y + 30:.2f}" '
                        f'stroke="#8A4B00" stroke-dasharray="6,4"/></g>')
            y += band
    width = max(width, 400.0)
    out = (f'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
           f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
           f'width="{width:.2f}pt" height="{y:.2f}pt" viewBox="0 0 {width:.2f} {y:.2f}">\n'
           + "\n".join(body) + "\n</svg>\n")
    return out.encode("utf-8")


def case_history_svg(events: Sequence[AuditEvent], current_sop: SOP, step_id: str, key: str,
                     current_state: str | None, lang: str, to_svg: Callable[[str], bytes]) -> bytes:
    """SVG of the instance's diagram: :func:`diagrams.case_dot` of each :func:`segments` part,
    stacked with the migrations between them. ``to_svg(dot) -> bytes`` renders one DOT text
    (raises what :func:`diagrams.render_bytes` raises). A case never migrated gives exactly the
    single-version diagram."""
    segs = segments(events, current_sop, step_id, key, current_state, lang)
    parts = [to_svg(diagrams.case_dot(s.sop, step_id, lang, path=s.path, current=s.current)) for s in segs]
    if len(parts) == 1:
        return parts[0]
    return stack_svgs(parts, [s.caption for s in segs])
