"""Structured page fields on the web: the editor's inputs, the infobox and the diff rows.

The services (:mod:`wikicoop.page_types`) check JSON values; this module turns the edit
form's strings into those values (and back, to fill the form), and shows values to
readers as escaped HTML: a ``page`` field as a wiki link, a ``url`` as a link with
``rel="nofollow ugc"``, hours as a readable week. Nothing here renders Markdown: the
infobox is built from the revision's stored values at each view, which costs no query.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from ..core.models import Revision
from ..core.page_types import (
    DAYS,
    Field,
    FieldError,
    PageType,
    PageTypeRegistry,
    changed_fields,
    registry_of,
    validate_fields,
)
from ..text.titles import TitleError, parse_title
from .labels import N_, current_language, localized
from .urls import page_url

#: the names of the days as the hours grid and the infobox show them
DAY_LABELS = {
    "mon": N_("Lundi"),
    "tue": N_("Mardi"),
    "wed": N_("Mercredi"),
    "thu": N_("Jeudi"),
    "fri": N_("Vendredi"),
    "sat": N_("Samedi"),
    "sun": N_("Dimanche"),
}

#: the form input name of a field (``field.<name>``, ``field.<name>.mon``, ``.lat``…)
PREFIX = "field."

_SLOT_RE = re.compile(r"^\s*(\d{1,2})[:hH]?(\d{2})?\s*[-–—]\s*(\d{1,2})[:hH]?(\d{2})?\s*$")
_NUMBER_RE = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
_CLOSED = {"", "fermé", "ferme", "closed", "-", "—"}


def day_label(day: str) -> str:
    """A day key (``mon``) as the reader reads it."""
    return _(DAY_LABELS[day])


def registry() -> PageTypeRegistry:
    """The current app's page types."""
    return registry_of(current_app)


def language() -> str:
    """The reader's language for labels (``fr`` or ``en``)."""
    return current_language()


# -- form -> JSON values -----------------------------------------------------------------


def _number(name: str, raw: str) -> int | float | None:
    text = raw.strip().replace("\u202f", "").replace(" ", "")
    if not text:
        return None
    if not _NUMBER_RE.match(text):
        raise FieldError(name, "bad-number")
    text = text.replace(",", ".")
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    return float(text)


def _time(hours: str, minutes: str | None) -> str:
    return f"{int(hours):02d}:{minutes or '00'}"


def hours_from_text(name: str, day: str, raw: str) -> list[list[str]]:
    """``"9:00-12:30, 14h-18h"`` → ``[["09:00", "12:30"], ["14:00", "18:00"]]``."""
    if raw.strip().lower() in _CLOSED:
        return []
    slots = []
    for part in re.split(r"[,;/]|\s+et\s+|\s+and\s+", raw):
        if not part.strip():
            continue
        match = _SLOT_RE.match(part)
        if not match:
            raise FieldError(name, "bad-slot", day=day)
        slots.append([_time(match[1], match[2]), _time(match[3], match[4])])
    return slots


def _from_form(item: Field, form: MultiDict) -> Any:
    key = PREFIX + item.name
    if item.kind == "bool":
        return form.get(key) in ("1", "on", "true", "oui")
    if item.kind == "choices":
        return form.getlist(key)
    if item.kind == "number":
        return _number(item.name, form.get(key, ""))
    if item.kind == "hours":
        week = {day: hours_from_text(item.name, day, form.get(f"{key}.{day}", "")) for day in DAYS}
        return week if any(week.values()) else None
    if item.kind == "point":
        lat = _number(item.name, form.get(f"{key}.lat", ""))
        lon = _number(item.name, form.get(f"{key}.lon", ""))
        if lat is None and lon is None:
            return None
        if lat is None or lon is None:
            raise FieldError(item.name, "wrong-kind", kind="point")
        return {"lat": lat, "lon": lon}
    return form.get(key, "")


def values_from_form(page_type: PageType, form: MultiDict) -> dict[str, Any]:
    """The JSON values typed in the edit form (not yet validated; :class:`FieldError`
    for a number or a time that cannot be read)."""
    return {item.name: _from_form(item, form) for item in page_type.fields}


# -- JSON values -> form strings ---------------------------------------------------------


def _hours_text(slots: list[list[str]]) -> str:
    return ", ".join(f"{start}-{end}" for start, end in slots)


@dataclass
class FieldInput:
    """What the editor shows for one field: its declaration, label, values and error."""

    field: Field
    label: str
    value: Any = None
    #: for hours: day -> text; for a point: "lat"/"lon" -> text
    parts: dict[str, str] = field(default_factory=dict)
    error: str | None = None


def form_inputs(
    page_type: PageType,
    values: Mapping[str, Any] | None,
    form: MultiDict | None = None,
    errors: Mapping[str, str] | None = None,
) -> list[FieldInput]:
    """The inputs of ``page_type``'s fields, filled from ``values`` (stored JSON) or, after a
    refused save, from the ``form`` as it was sent (nothing typed is lost)."""
    values, errors, lang = values or {}, errors or {}, language()
    inputs = []
    for item in page_type.fields:
        entry = FieldInput(item, item.label_for(lang), error=errors.get(item.name))
        key = PREFIX + item.name
        if form is not None:
            if item.kind == "hours":
                entry.parts = {day: form.get(f"{key}.{day}", "") for day in DAYS}
            elif item.kind == "point":
                entry.parts = {part: form.get(f"{key}.{part}", "") for part in ("lat", "lon")}
            elif item.kind == "choices":
                entry.value = form.getlist(key)
            elif item.kind == "bool":
                entry.value = form.get(key) in ("1", "on", "true", "oui")
            else:
                entry.value = form.get(key, "")
        else:
            value = values.get(item.name)
            if item.kind == "hours":
                week = value or {}
                entry.parts = {day: _hours_text(week.get(day) or []) for day in DAYS}
            elif item.kind == "point":
                point = value or {}
                entry.parts = {part: str(point.get(part, "")) for part in ("lat", "lon")}
            elif item.kind == "choices":
                entry.value = list(value or [])
            elif item.kind == "bool":
                entry.value = bool(value)
            elif item.kind == "datetime" and value:
                entry.value = str(value)[:16]  # datetime-local takes minutes
            else:
                entry.value = "" if value is None else str(value)
        inputs.append(entry)
    return inputs


def error_of(err: FieldError) -> dict[str, str]:
    """``{field: sentence}`` of a refused value, in the reader's language."""
    return {err.field: localized(err)}


# -- JSON values -> reader's HTML ----------------------------------------------------------


def _link(href: str, text: str, *, external: bool = True) -> Markup:
    rel = ' rel="nofollow ugc"' if external else ""
    return Markup('<a href="{}"{}>{}</a>').format(href, Markup(rel), text)


def show_value(item: Field, value: Any) -> Markup:
    """One value as escaped HTML for the infobox and the diff."""
    if value is None:
        return Markup("—")
    try:
        return _shown(item.kind, value)
    except (TypeError, KeyError, AttributeError, ValueError):  # a value of another kind
        return escape(str(value))


def _shown(kind: str, value: Any) -> Markup:
    if kind == "longtext":
        return Markup("<br>").join(escape(line) for line in str(value).split("\n"))
    if kind == "number":
        return escape(format_decimal(value))
    if kind == "date":
        try:
            return escape(format_date(date.fromisoformat(value), "long"))
        except ValueError:
            return escape(value)
    if kind == "datetime":
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return escape(value)
        day = format_date(moment.date(), "long")
        return escape(_("%(day)s à %(time)s", day=day, time=moment.strftime("%H:%M")))
    if kind == "hours":
        rows = Markup("").join(
            Markup("<tr><th scope='row'>{}</th><td>{}</td></tr>").format(
                day_label(day),
                _hours_text(value.get(day) or []).replace("-", "–") or _("fermé"),
            )
            for day in DAYS
        )
        return Markup('<table class="hours">{}</table>').format(rows)
    if kind == "choices":
        return escape(", ".join(value))
    if kind == "bool":
        return escape(_("oui") if value else _("non"))
    if kind == "url":
        return _link(value, value)
    if kind == "email":
        return _link(f"mailto:{value}", value)
    if kind == "phone":
        return _link("tel:" + re.sub(r"[^\d+]", "", value), value, external=False)
    if kind == "point":
        lat, lon = value["lat"], value["lon"]
        href = f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
        return _link(href, f"{lat}, {lon}")
    if kind == "page":
        try:
            title = parse_title(value, capitalize_first=current_app.config["CAPITALIZE_FIRST"])
        except TitleError:
            return escape(value)
        return _link(page_url(title), title.full, external=False)
    return escape(value)


@dataclass(frozen=True)
class Infobox:
    """The box of a typed page: its type's label and one (label, HTML) row per value."""

    type_name: str
    type_label: str
    rows: list[tuple[str, str, Markup]]


def infobox(revision: Revision | None) -> Infobox | None:
    """The infobox of a revision of a typed page (None for a plain page).

    A type no longer declared (its plugin turned off) still shows its values, by name.
    """
    if revision is None or not revision.page_type:
        return None
    values = revision.fields or {}
    page_type = registry().get(revision.page_type)
    lang = language()
    if page_type is None:
        rows = [(name, name, escape(str(value))) for name, value in values.items()]
        return Infobox(revision.page_type, revision.page_type, rows)
    rows = [
        (item.name, item.label_for(lang), show_value(item, values[item.name]))
        for item in page_type.fields
        if item.name in values
    ]
    return Infobox(page_type.name, page_type.label_for(lang), rows)


def type_label(name: str | None) -> str:
    """A page type's label in the reader's language (its name when no longer declared)."""
    if not name:
        return _("page simple")
    page_type = registry().get(name)
    return page_type.label_for(language()) if page_type else name


@dataclass(frozen=True)
class FieldChange:
    """One changed field between two revisions: its label, old and new values as HTML."""

    name: str
    label: str
    old: Markup
    new: Markup


def _changes(
    page_type: PageType | None,
    names: list[str],
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    types: tuple[str | None, str | None] | None = None,
) -> list[FieldChange]:
    """Rows of a field table: the type's change (``types``: before, after), then ``names``."""
    rows = []
    if types is not None:
        old_label, new_label = (escape(type_label(name)) for name in types)
        rows.append(FieldChange("type", _("Type de page"), old_label, new_label))
    lang = language()
    for name in names:
        item = (page_type.field(name) if page_type else None) or Field(name=name, kind="text")
        old, new = show_value(item, before.get(name)), show_value(item, after.get(name))
        rows.append(FieldChange(name, item.label_for(lang), old, new))
    return rows


def field_changes(old: Revision | None, new: Revision) -> list[FieldChange]:
    """The type and field changes from ``old`` (None: a new page) to ``new``, for the diff
    page, the restore page and the moderation queue."""
    old_type = old.page_type if old is not None else None
    before, after = (old.fields if old is not None else None) or {}, new.fields or {}
    page_type = registry().get(new.page_type) or registry().get(old_type)
    types = (old_type, new.page_type) if (old_type or None) != (new.page_type or None) else None
    return _changes(page_type, changed_fields(before, after), before, after, types)


def conflicting_fields(
    current: Revision,
    ours: Mapping[str, Any] | None,
    names: list[str],
    ours_type: str | None = None,
) -> list[FieldChange]:
    """The fields (or ``type``) changed differently on both sides of a refused merge: the
    value saved in the meantime (``old``) and the one being saved (``new``)."""
    page_type = registry().get(current.page_type)
    types = (current.page_type, ours_type) if "type" in names else None
    fields = [name for name in names if name != "type"]
    return _changes(page_type, fields, current.fields or {}, ours or {}, types)


# -- the editor's context ----------------------------------------------------------------


def creatable_types() -> list[tuple[str, str]]:
    """``(name, label)`` of every declared type, to create a page of one of them."""
    lang = language()
    return [(item.name, item.label_for(lang)) for item in registry().all()]


def _editor(page_type: PageType, inputs: list[FieldInput]) -> dict[str, Any]:
    return {
        "field_type": page_type,
        "field_type_label": page_type.label_for(language()),
        "field_inputs": inputs,
        "day_label": day_label,
    }


def editor_for_revision(source: Revision | None, requested: str | None) -> dict[str, Any]:
    """The editor's fields for a page shown from ``source`` (``?type=`` may choose the
    type: values of fields the new type also has are kept). Empty for a plain page;
    :class:`FieldError` (field ``type``) for an unknown type."""
    current = source.page_type if source is not None else None
    name = requested or current
    if not name or (not requested and registry().get(name) is None):
        # a type no longer declared (its plugin turned off): the text stays editable and
        # the stored values are kept as they are (the form sends no type)
        return {}
    page_type = registry().require(name)
    values = dict(source.fields or {}) if source is not None else {}
    values = {key: value for key, value in values.items() if page_type.field(key) is not None}
    return _editor(page_type, form_inputs(page_type, values))


def editor_from_form(form: MultiDict, err: FieldError | None = None) -> dict[str, Any]:
    """The editor's fields as they were sent (after a refusal, a preview, a conflict), with
    the refusal's sentence beside its field (or above the form for an unknown type)."""
    page_type = registry().get(form.get("page_type") or None)
    context: dict[str, Any] = {}
    if err is not None and (page_type is None or page_type.field(err.field) is None):
        context["error"] = localized(err)
    if page_type is None:
        return context
    errors = error_of(err) if err is not None else None
    return context | _editor(page_type, form_inputs(page_type, None, form, errors))


def typed_edit(form: MultiDict) -> tuple[str | None, dict[str, Any] | None]:
    """``(page_type, fields)`` for the write path from the edit form: ``(None, None)``
    keeps the page's type and values (no fields in the form), ``("", {})`` makes the page
    plain, else the type's name and its validated values (:class:`FieldError`)."""
    if "page_type" not in form:
        return None, None
    name = form.get("page_type", "")
    if not name:
        return "", {}
    page_type = registry().require(name)
    values = values_from_form(page_type, form)
    return name, validate_fields(
        page_type, values, capitalize_first=bool(current_app.config["CAPITALIZE_FIRST"])
    )
