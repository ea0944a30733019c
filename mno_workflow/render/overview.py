"""Referral pathway diagrams for the projector and the wall: the overview and one pathway per need.

``overview_dot``: one box per step of the SOP, left to right in flow order (who is responsible,
the deadline in words), the entry points on the left, the flow rules as arrows labelled in
words, and under a step its branches: deadlines that depend on a choice (the emergency branch:
« Urgence vitale : 24 heures ») and forms that ask more for a child (the child branch). Fonts are
large and text is wrapped short so that the SVG fits ~2560×1440 and its smallest label stays
≥ 14 px when the picture is fitted to 1280 pixels wide (checked from the SVG's own size).

``pathway_dot``: need → service types → the providers of one region from the directory, each
with its phone, contact person and response time. The state charts of :mod:`.diagrams` stay for
tool training; these are the *diagrammes de flux d'orientation* of the SOP document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import graphviz

from mno_workflow.i18n import N_, Words
from mno_workflow.sop.schema import SOP, ByField, Duration

from ..i18n import colon as label_colon
from .diagrams import FONT, _br, _esc, _html, deadline_words, duration_words, field_by_path
from .directory_data import PrintDirectory
from .form_titles import known_forms
from .plain import relevant_words

__all__ = ["OVERVIEW_TEXT", "MIN_FONT_PT", "overview_dot", "pathway_dot", "response_words",
           "svg_size", "entry_points", "default_region", "pathway_sources", "write_pathway_diagrams"]

# Smallest font used by these diagrams (points); with a natural width ≤ 1800 pt, 20 pt text stays
# ≥ 14 px on a 1280-wide screen.
MIN_FONT_PT = 20

OVERVIEW_TEXT: Words = Words({  # key → French message id (English and others: the catalogues)
    "entry": N_("Points d'entrée"),
    "closed": N_("Dossier clôturé"),
    "who": N_("Responsable : {x}"),
    "deadline": N_("Délai : {x}"),
    "child": N_("Enfant"),
    "child_more": N_("{x}"),
    "need": N_("Besoin"),
    "types": N_("Types de service"),
    "providers": N_("Prestataires — {r}"),
    "none": N_("Aucun prestataire dans cette région : voir la coordination"),
    "response": N_("Réponse : {x}"),
    "by_choice": N_("Délais selon le cas"),
    "pathway": N_("Parcours d'orientation — {x}"),
    "other": N_("Autres"),
})


_FLOW, _STEP, _BRANCH, _CHILD = "#1F4E9A", "#EAF1FB", "#FDECEA", "#FFF3C4"


def _graph(name: str) -> graphviz.Digraph:
    g = graphviz.Digraph(name=name)
    g.attr(rankdir="LR", fontname=FONT, fontsize="30", ranksep="0.45", nodesep="0.25",
           newrank="true", charset="UTF-8", pad="0.2", labelloc="t")
    g.attr("node", fontname=FONT, fontsize=str(MIN_FONT_PT + 2), shape="box", style="rounded,filled",
           fillcolor=_STEP, color="#333333", margin="0.12,0.08", penwidth="2")
    g.attr("edge", fontname=FONT, fontsize=str(MIN_FONT_PT), color=_FLOW, penwidth="3", arrowsize="1.1")
    return g


def entry_points(sop: SOP, lang: str = "fr") -> list[str]:
    """Entry points in words: the options ``entry_point`` of the SOP, else ``return_mode``; [] if none."""
    for name in ("entry_point", "return_mode"):
        if name in sop.options:
            return [sop.label(label, lang) for label in sop.options[name].values()]
    return []


def _step_owner(sop: SOP, step_id: str, lang: str) -> str:
    step = sop.steps[step_id]
    roles: list[str] = []
    for st in step.states.values():
        for r in st.owner_roles:
            if r not in roles:
                roles.append(r)
    return ", ".join(sop.label(sop.roles[r].label, lang) for r in roles if r in sop.roles)


def _step_deadline(sop: SOP, step_id: str, lang: str) -> tuple[str, list[str]]:
    """The first fixed deadline of the step in words, and the cases of its choice-dependent ones."""
    first, cases = "", []
    colon = label_colon(lang)  # « : » in French, ": " in English (catalogue)
    for st in sop.steps[step_id].states.values():
        if not st.deadline:
            continue
        if isinstance(st.deadline.within, ByField):
            f = field_by_path(sop, st.deadline.within.by)
            opts = sop.options.get(f.options or "", {}) if f else {}
            order = [c for c in opts if c in st.deadline.within.cases]
            order += [c for c in st.deadline.within.cases if c not in order]
            cases += [f"{sop.label(opts.get(c), lang) or c}{colon}"
                      f"{duration_words(st.deadline.within.cases[c], lang)}" for c in order]
        elif not first:
            first = deadline_words(sop, st.deadline, lang)
    return first, cases


_CHILD_CODE = re.compile(r"'([a-z_]*child[a-z_]*|[a-z_]*minor[a-z_]*|[a-z_]*enfant[a-z_]*)'")


def _child_fields(sop: SOP, step_id: str, lang: str) -> list[str]:
    """Labels of the step's form fields asked only for a child (``relevant`` names a child code)."""
    out = []
    forms = dict.fromkeys(f for t in sop.steps[step_id].transitions for f in known_forms(sop, t))
    for fid in forms:
        for f in sop.forms[fid].fields:
            if f.relevant and _CHILD_CODE.search(f.relevant):
                out.append(sop.label(f.label, lang))
    return out


def _child_condition(sop: SOP, step_id: str, lang: str) -> str:
    forms = dict.fromkeys(f for t in sop.steps[step_id].transitions for f in known_forms(sop, t))
    for fid in forms:
        for f in sop.forms[fid].fields:
            if f.relevant and _CHILD_CODE.search(f.relevant):
                return relevant_words(sop, f, lang)
    return ""


def _columns(sop: SOP) -> dict[str, int]:
    """Column of each step, left to right: ``start`` (and the steps of SOP ``entries``, drawn beside
    it) is 0 and a step a flow rule starts is one
    column right of the furthest step that starts it (longest path, loops ignored); parallel steps
    (e.g. an immediate referral beside consent) share a column. Steps no rule starts follow."""
    col = {sop.start: 0}
    col.update({e.start: 0 for e in sop.entries.values() if e.start in sop.steps})  # beside start
    for _ in range(len(sop.steps)):  # relax along the rules; at most one pass per step
        changed = False
        for rule in sop.flow:
            a = rule.after.partition(".")[0]
            b = rule.start
            further = a in col and col[a] + 1 <= len(sop.steps) and col.get(b, -1) < col[a] + 1
            if further and b in sop.steps and b != sop.start and col.get(b) != 0:
                col[b], changed = col[a] + 1, True
        if not changed:
            break
    last = max(col.values(), default=0)
    for s in sop.steps:
        col.setdefault(s, last + 1)
    return col


def _ordered_steps(sop: SOP) -> list[str]:
    """Steps left to right (:func:`_columns`), the SOP's order within a column."""
    col = _columns(sop)
    listed = list(sop.steps)
    return sorted(sop.steps, key=lambda s: (col[s], listed.index(s)))


def overview_dot(sop: SOP, lang: str = "fr") -> str:
    """DOT of the referral overview in ``lang`` (see the module docstring). Pure; needs no ``dot``."""
    w = OVERVIEW_TEXT[lang]
    g = _graph(f"{sop.sop}_overview")
    g.attr(label=_html(f"<B>{_br(sop.label(sop.title, lang), 70)}</B>"))
    order = _ordered_steps(sop)
    columns = _columns(sop)
    entries = entry_points(sop, lang)
    if entries:
        items = "<BR/>".join("• " + _br(e, 16).replace("<BR/>", "<BR/>  ") for e in entries)
        g.node("_entry", _html(f"<B>{_esc(w['entry'])}</B><BR/>{items}"), fillcolor="#FFFFFF",
               id="overview_entry")
        with g.subgraph() as same:
            same.attr(rank="same")
            same.node("_entry")
            same.node(order[0])
        g.edge("_entry", order[0])
    beside = [e.start for e in sop.entries.values() if e.start in sop.steps and e.start != order[0]]
    if beside:  # SOP entries (a first responder's alert) are drawn in the start's column
        with g.subgraph() as same:
            same.attr(rank="same")
            same.node(order[0])
            for sid in beside:
                same.node(sid)
    for sid in order:
        step = sop.steps[sid]
        parts = [f'<FONT POINT-SIZE="{MIN_FONT_PT + 6}"><B>{_br(sop.label(step.label, lang), 13)}</B></FONT>']
        owner = _step_owner(sop, sid, lang)
        if owner:
            parts.append(_br(w["who"].format(x=owner), 16))
        deadline, branches = _step_deadline(sop, sid, lang)
        if deadline:
            parts.append(_br(w["deadline"].format(x=deadline), 16))
        g.node(sid, _html("<BR/>".join(parts)), id=f"overview.{sid}")
        below = []
        if branches:
            bid = f"_{sid}_deadlines"
            head = f"<B>{_esc(w['by_choice'])}</B><BR/>"
            g.node(bid, _html(head + "<BR/>".join(_br(b, 16) for b in branches)), fillcolor=_BRANCH,
                   color="#A3000F", id=f"overview.{sid}.emergency")
            below.append(bid)
        child = _child_fields(sop, sid, lang)
        if child:
            cid = f"_{sid}_child"
            cond = _child_condition(sop, sid, lang)
            text = (f"<B>{_esc(w['child'])}</B><BR/>{_br(cond, 16)}<BR/>→ "
                    + "<BR/>".join(_br(c, 16) for c in child))
            g.node(cid, _html(text), fillcolor=_CHILD, id=f"overview.{sid}.child")
            below.append(cid)
        if below:
            with g.subgraph() as same:
                same.attr(rank="same")
                same.node(sid)
                for b in below:
                    same.node(b)
            for b in below:
                g.edge(sid, b, style="dashed", color="#777777", penwidth="2", arrowhead="none")
    closed = any(r.close_case for r in sop.flow)
    if closed:
        g.node("_closed", _html(f"<B>{_br(w['closed'], 10)}</B>"), shape="box", fillcolor="#333333",
               fontcolor="white", id="overview_closed")
        with g.subgraph() as same:
            same.attr(rank="same")
            same.node("_closed")
            same.node(order[-1])
    drawn: set[tuple[str, str]] = set()
    for rule in sop.flow:
        sid, _, state = rule.after.partition(".")
        if sid not in sop.steps:
            continue
        head = rule.start if rule.start in sop.steps else ("_closed" if rule.close_case else None)
        if head is None or (sid, head) in drawn:
            continue
        drawn.add((sid, head))
        st = sop.steps[sid].states.get(state)
        label = sop.label(st.label, lang) if st else ""
        main = head in columns and sid in columns and columns[head] == columns[sid] + 1
        attrs = {"constraint": "true" if main else "false",
                 "weight": "10" if main else "1"}
        if not main:
            attrs.update(style="dashed", color="#666666", penwidth="2")
        # same column (an entry's step into ``start``): a label there would widen the whole drawing
        same_col = head in columns and columns.get(sid) == columns[head]
        g.edge(sid, head, _html(_br(label, 14)) if label and not main and not same_col else "", **attrs)
    return g.source


def response_words(text: str, lang: str = "fr") -> str:
    """A directory response time (``"24 hours"``, ``"10 working days"``) in words of ``lang``."""
    try:
        return duration_words(Duration.model_validate(text), lang)
    except ValueError:
        return text


def pathway_dot(sop: SOP, directory: PrintDirectory, need: str, region: str, lang: str = "fr") -> str:
    """DOT of the pathway of one ``need`` (an option code of ``need``) in ``region`` (a region code).

    Need → each service type (primary first) → each provider of that type covering the region
    (national services too), with phone, contact person and normal response time. Raises
    ``KeyError`` for a need the directory's need mapping does not know.
    """
    if need not in directory.needs:
        raise KeyError(need)
    w = OVERVIEW_TEXT[lang]
    need_label = sop.label(sop.options.get("need", {}).get(need), lang) or need
    region_name = directory.region_names.get(region, region)
    g = _graph(f"{sop.sop}_pathway_{need}")
    g.attr(label=_html(f"<B>{_esc(w['pathway'].format(x=need_label))} — {_esc(region_name)}</B>"))
    g.node("_need", _html(f'<FONT POINT-SIZE="{MIN_FONT_PT + 6}"><B>{_br(need_label, 14)}</B></FONT>'),
           fillcolor="#FFFFFF", id="pathway_need")
    for i, (link, services) in enumerate(directory.for_need(need, region)):
        tid = f"_type{i}"
        g.node(tid, _html(_br(link.label_in(lang), 16)), id=f"pathway_type.{link.service_type}")
        g.edge("_need", tid, style="solid" if link.rank == 1 else "dashed")
        if not services:
            g.node(f"{tid}_none", _html(f"<I>{_br(w['none'], 20)}</I>"), fillcolor=_BRANCH)
            g.edge(tid, f"{tid}_none")
        for j, s in enumerate(services[:4]):
            lines = [f"<B>{_br(s.name, 24)}</B>", _br(s.organisation, 28)]
            if s.phones:
                lines.append("☎ " + _esc(s.phones[0]))
            if s.contact:
                lines.append(_br(s.contact, 28))
            if s.response.get("normal"):
                lines.append(_br(w["response"].format(x=response_words(s.response["normal"], lang)), 28))
            sid = f"{tid}_s{j}"
            g.node(sid, _html("<BR/>".join(lines)), fillcolor="#FFFFFF", id=f"pathway_service.{s.id}")
            g.edge(tid, sid)
        if len(services) > 4:
            g.node(f"{tid}_more", _html(f"<I>+ {len(services) - 4} {_esc(w['other'])}</I>"),
                   fillcolor="#FFFFFF")
            g.edge(tid, f"{tid}_more")
    return g.source


def svg_size(svg_text: str) -> tuple[float, float]:
    """The (width, height) of an SVG in points, from its root ``width``/``height`` attributes."""
    m = re.search(r'<svg[^>]*\swidth="([\d.]+)(pt|px)?"[^>]*\sheight="([\d.]+)(pt|px)?"', svg_text)
    if not m:
        raise ValueError("SVG without width/height")
    return float(m.group(1)), float(m.group(3))


def font_sizes(svg_text: str) -> Iterable[float]:
    """Every ``font-size`` of the SVG's text elements (points)."""
    return [float(x) for x in re.findall(r'font-size="([\d.]+)"', svg_text)]


def default_region(directory: PrintDirectory) -> str:
    """The region code with the most services of its own (ties: first by code); '' if none."""
    counts: dict[str, int] = {}
    for s in directory.services:
        for r in s.regions:
            counts[r] = counts.get(r, 0) + 1
    return min(counts, key=lambda r: (-counts[r], r)) if counts else ""


def pathway_sources(sop: SOP, directory: PrintDirectory | None, lang: str,
                    region: str | None = None) -> dict[str, str]:
    """``{"overview": dot, "pathway-<need>": dot, …}`` for one language.

    Pathways are drawn for each option of ``need`` the directory's mapping knows, for ``region``
    (default: :func:`default_region`); none without a directory.
    """
    out = {"overview": overview_dot(sop, lang)}
    if directory is not None:
        region = region or default_region(directory)
        for need in sop.options.get("need", {}):
            if need in directory.needs:
                out[f"pathway-{need}"] = pathway_dot(sop, directory, need, region, lang)
    return out


def write_pathway_diagrams(sop: SOP, out_dir: str | Path, directory: PrintDirectory | None,
                           langs: Sequence[str] = ("fr", "en"), region: str | None = None,
                           formats: Sequence[str] = ("svg", "dot")) -> list[Path]:
    """Write ``<out_dir>/<sop>/<lang>/overview.<fmt>`` and ``pathway-<need>.<fmt>``; return the paths.

    ``formats`` ⊆ {svg, dot, png, pdf}; rendered formats need ``dot`` (:class:`DotNotFound`).
    """
    from .diagrams import render_bytes

    written = []
    for lang in langs:
        for name, dot_text in pathway_sources(sop, directory, lang, region).items():
            folder = Path(out_dir) / sop.sop / lang
            folder.mkdir(parents=True, exist_ok=True)
            for fmt in formats:
                data = dot_text.encode("utf-8") if fmt == "dot" else render_bytes(dot_text, fmt)
                path = folder / f"{name}.{fmt}"
                path.write_bytes(data)
                written.append(path)
    return written
