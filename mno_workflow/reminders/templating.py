"""The Jinja2 environment of e-mail and notification templates: one template per message
(``reminders/templates/<name>.{subject,txt,html}.j2``) whose texts are ``{% trans %}`` blocks
translated from the gettext catalogues; ``<lang>/<name>`` names it in a language."""

from __future__ import annotations

from pathlib import Path

from jinja2 import (
    BaseLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    select_autoescape,
)

from ..i18n.jinja import install as install_i18n


class _OneTemplateLoader(BaseLoader):
    """``<lang>/<name>`` is the one template ``templates/<name>``: its texts are ``{% trans %}``
    blocks translated from the catalogues into ``lang`` (no copy of a template per language). A
    template still written once per language (``templates/fr/<name>``, ``templates/en/<name>``)
    is found too, the French one for a language without its copy."""

    def __init__(self, folder: Path):
        self.files = FileSystemLoader(str(folder))
        self.folder = folder

    def get_source(self, environment: Environment, template: str):
        lang, sep, name = template.partition("/")
        # the one template; else a legacy copy per language (templates/<lang>/<name>), French last
        for candidate in ([name, template, f"fr/{name}"] if sep else [template]):
            try:
                return self.files.get_source(environment, candidate)
            except TemplateNotFound:
                continue
        raise TemplateNotFound(template, f"{template!r} not found in search path: {str(self.folder)!r}")


class _Environment(Environment):
    """Templates named ``<lang>/<name>`` render in ``lang`` unless the context says otherwise."""

    def get_template(self, name, parent=None, globals=None):  # noqa: A002 - Jinja's signature
        lang = name.partition("/")[0] if isinstance(name, str) and "/" in name else None
        return super().get_template(name, parent, {"lang": lang, **(globals or {})} if lang else globals)


def message_templates(folder: Path) -> Environment:
    """The environment of the templates in ``folder``: strict variables, HTML escaped in ``.html``
    templates only, ``{% trans %}`` in the template's language (``lang`` of the context, else the
    ``<lang>/`` of its name)."""
    env = _Environment(loader=_OneTemplateLoader(folder), undefined=StrictUndefined,
                       autoescape=select_autoescape(enabled_extensions=("html", "html.j2"),
                                                    default_for_string=False, default=False),
                       keep_trailing_newline=False, trim_blocks=True, lstrip_blocks=True)
    return install_i18n(env)
