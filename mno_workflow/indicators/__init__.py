"""M&E indicators defined in the SOP's ``indicators:`` section, computed from the audit events,
with small-cell suppression (see ``schema``, ``history``, ``compute``, ``suppress``, ``periods``)."""
