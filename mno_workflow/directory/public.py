"""What of the directory may be published without sign-in: every row of
:func:`mno_workflow.directory.hsds_io.dump_tables` except the people of the providers' staff.

The public form (the ``/hsds`` API without sign-in, ``mno directory export --public``) leaves out:

- every HSDS ``contact`` (a person: name, title, department, e-mail);
- every ``phone`` attached to a contact (``contact_id`` set: a person's own number);
- the ``attribute`` and ``metadata`` rows about those contacts and phones (a ``metadata`` row may
  keep a contact's old name in ``previous_value``);
- the focal point of each service (``service_referral.focal_point_user_id``: a user account) and
  of each data-sharing agreement (``sharing_agreement.focal_point_name`` / ``focal_point_email``);
- the kept extension files (``extension_file``: CSV files HSDS does not define, whose content
  nobody has vetted).

The organisations', services' and locations' own phones, e-mails and web sites stay: they are the
institutions' public channels. See ``docs/hsds-profile.md`` (« Contacts »).
"""

from __future__ import annotations

from typing import Any

Rows = dict[str, list[dict[str, Any]]]

#: Columns emptied in the public form, by table.
BLANKED = {
    "service_referral": ("focal_point_user_id",),
    "sharing_agreement": ("focal_point_name", "focal_point_email"),
}


def personal_ids(data: Rows) -> set[str]:
    """Ids of the rows that describe a person: every ``contact`` and the phones attached to one."""
    contacts = {r["id"] for r in data.get("contact", [])}
    phones = {r["id"] for r in data.get("phone", []) if r.get("contact_id")}
    return contacts | phones


def people_count(data: Rows) -> int:
    """How many contacts (people) ``data`` holds: what a full export would publish."""
    return len(data.get("contact", []))


def focal_point_count(data: Rows) -> int:
    """How many focal-point values (a user account, an agreement's name or e-mail: the columns of
    :data:`BLANKED`) ``data`` holds: staff identifiers a full export publishes even without any
    ``contact`` row."""
    return sum(1 for name, columns in BLANKED.items() for row in data.get(name, [])
               for column in columns if row.get(column))


def public_rows(data: Rows) -> Rows:
    """A copy of ``data`` (``{table: [row]}``, the product's ids) without the personal rows and
    columns of the module doc. ``data`` is not changed."""
    gone = personal_ids(data)
    out: Rows = {}
    for name, rows in data.items():
        if name in ("contact", "extension_file"):
            out[name] = []
            continue
        kept = []
        for row in rows:
            if row.get("id") in gone or row.get("contact_id") in gone:
                continue
            if name == "attribute" and row.get("link_id") in gone:
                continue
            if name == "metadata" and (row.get("resource_id") in gone
                                       or row.get("resource_type") in ("contact", "contacts")):
                continue
            blank = BLANKED.get(name, ())
            kept.append({k: (None if k in blank else v) for k, v in row.items()})
        out[name] = kept
    return out
