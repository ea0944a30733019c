"""Data categories of form fields, as the SOP declares them (``category:`` on fields).

A ``personal`` or ``sensitive`` field without a category is never shown to a provider (default
deny); ``shareable`` fields are not personal data and are always shown.
"""

from __future__ import annotations

from ..sop.schema import SOP, FormField


def field_categories(sop: SOP) -> dict[str, str]:
    """``{"form.field": category}`` (``"form.group.sub"`` for fields of repeat groups)."""
    out: dict[str, str] = {}

    def walk(prefix: str, fields: list[FormField]) -> None:
        for f in fields:
            path = f"{prefix}.{f.id}"
            if f.category:
                out[path] = f.category
            if f.fields:
                walk(path, f.fields)

    for fid, form in sop.forms.items():
        walk(fid, form.fields)
    return out


def field_category(sop: SOP, path: str) -> str | None:
    """The category of the field at ``path`` (``form.field`` or ``form.group.sub``), or None."""
    form_id, *rest = path.split(".")
    form = sop.forms.get(form_id)
    fields = form.fields if form else []
    f = None
    for part in rest:
        f = next((x for x in fields or [] if x.id == part), None)
        if f is None:
            return None
        fields = f.fields or []
    return f.category if f is not None else None
