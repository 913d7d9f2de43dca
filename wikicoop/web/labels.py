"""Words shown for codes, in the reader's language: the interface language of the request,
the names of languages and licences, the labels of namespaces, page types, revision actions
and search facets, and a service error's sentence (:func:`localized`).

Module-level labels are marked with :func:`N_` (for pybabel) and translated when shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from babel import Locale, UnknownLocaleError
from flask import current_app, has_request_context
from flask_babel import get_locale, gettext

from .. import error_messages
from ..errors import ServiceError
from ..text.licences import LICENCES, Licence


def N_(message: str) -> str:
    """Mark a message for extraction (pybabel) without translating it yet."""
    return message


# Flask-Login flashes this (set in security.py) when a login is required; it goes
# through ``login_manager.localize_callback`` (see ``wikicoop.web.init_app``).
N_("Connectez-vous pour continuer.")

#: How each interface language names itself, for the language selector.
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}

#: Stored codes and the words people read for them (translated when shown).
NAMESPACE_LABELS = {
    "main": N_("Principal"),
    "help": N_("Aide"),
    "user": N_("Utilisateur"),
    "category": N_("Catégorie"),
    "portal": N_("Portail"),
    "file": N_("Fichier"),
    "talk": N_("Discussion"),
}
PAGE_TYPE_LABELS = {"page": N_("Page")}
REVISION_ACTION_LABELS = {
    "create": N_("création"),
    "restore": N_("restauration"),
    "move": N_("renommage"),
    "merge": N_("fusion"),
    "relicense": N_("licence"),
    "import": N_("import"),
}


def current_language() -> str:
    """The interface language of this request (``"fr"``, ``"en"``), French outside one."""
    locale = get_locale() if has_request_context() else None
    return locale.language if locale is not None else "fr"


def in_reader_language(texts: Mapping[str, str], **params: Any) -> str:
    """One of ``{"fr": …, "en": …}`` in the reader's language (French when it has none),
    formatted with ``params``: the texts of a plugin that ships no catalog."""
    text = texts.get(current_language()) or texts["fr"]
    return text.format(**params) if params else text


def english() -> bool:
    """Whether this request is answered in English."""
    return current_language() == "en"


def localized(err: ServiceError) -> str:
    """A service error's sentence in the reader's language: its code's sentence in
    :mod:`~wikicoop.error_messages`, translated by the catalog, filled with its params."""
    return error_messages.sentence(err, gettext)


def licence_name(licence: Licence) -> str:
    """The full name of a licence in the reader's language."""
    return gettext(licence.name_fr)


def _label(labels: dict[str, str], code: str) -> str:
    """The translated label of ``code``, or the code itself when it has none (a plugin's)."""
    return gettext(labels[code]) if code in labels else code


def namespace_label(code: str) -> str:
    """How a namespace code (``help``) is shown: « Aide », "Help"."""
    return _label(NAMESPACE_LABELS, code)


def page_type_label(code: str) -> str:
    """How a page type code (``page``) is shown."""
    return _label(PAGE_TYPE_LABELS, code)


def revision_action_label(code: str) -> str:
    """How a revision's action (``move``, ``restore``...) is shown in lists."""
    return _label(REVISION_ACTION_LABELS, code)


def licence_label(code: str) -> str:
    """A licence code (``CC-BY-SA-4.0``) by the licence's usual name, "CC BY-SA 4.0"."""
    licence = LICENCES.get(code)
    return licence.short_name if licence is not None else code


def facet_label(facet: str, value: str) -> str:
    """How a value of a search facet is shown (categories are names already)."""
    labeller = {
        "namespace": namespace_label,
        "type": page_type_label,
        "licence": licence_label,
    }.get(facet)
    return labeller(value) if labeller else value


def licence_summary(licence: Licence) -> str:
    """The one-sentence summary of a licence in the reader's language."""
    return gettext(licence.summary_fr)


def available_languages() -> list[str]:
    """The interface languages this wiki offers (setting ``LANGUAGES``), in order."""
    return [code.strip() for code in current_app.config["LANGUAGES"].split(",") if code.strip()]


def language_name(code: str) -> str:
    """How a language names itself: "Français", "English"."""
    if code in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[code]
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (UnknownLocaleError, ValueError):  # a code Babel does not know
        return code
    return name[:1].upper() + name[1:]
