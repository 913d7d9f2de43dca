"""Structured page types: declarations, the registry, validation and three-way merge of fields.

A page type has a name, labels (French and English), typed fields and a moderation mode.
A site declares types in the ``PAGE_TYPES`` setting (a list of plain dicts), a plugin
through the ``page_types()`` hook; both end in the :class:`PageTypeRegistry` kept at
``app.extensions["wikicoop.page_types"]``. A declaration::

    {"name": "lieu", "label": {"fr": "Lieu", "en": "Place"}, "moderation": "open",
     "fields": [{"name": "horaires", "kind": "hours", "label": {"fr": "Horaires",
                 "en": "Opening hours"}, "required": False},
                {"name": "acces", "kind": "choice", "label": "Accès",
                 "choices": ["libre", "sur rendez-vous"]}]}

A bad declaration (unknown kind, duplicate field, choice without choices…) raises
:class:`PageTypeError` when the app starts. A bad value raises :class:`FieldError`
(400, code ``invalid-field``, details ``field`` and ``reason``). The field values of a
page live with each revision (``revisions.page_type``, ``revisions.fields``).

Pure module: no Flask at import time (``registry_of``/``init_app`` take the app).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ServiceError
from .field_kinds import DAYS, EXAMPLES, KINDS, KindError, check_value, hours_is_empty, is_empty

__all__ = [
    "DAYS",
    "EXTENSION_KEY",
    "KINDS",
    "Field",
    "FieldError",
    "PageType",
    "PageTypeError",
    "PageTypeRegistry",
    "init_app",
    "merge_fields",
    "registry_of",
    "validate_fields",
]

#: Where the app keeps its registry.
EXTENSION_KEY = "wikicoop.page_types"

_MODERATION_MODES = ("open", "newcomers", "a_priori")
_NAME_RE = re.compile(r"[a-z][a-z0-9_-]{0,63}")
#: field names also name search fields (``f_<name>``, at most 40 characters in Whoosh)
_FIELD_NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,37}")


class PageTypeError(ValueError):
    """A declaration that cannot be used (raised when the app starts)."""


class FieldError(ServiceError):
    """A bad field value or type: 400, code ``invalid-field``, params ``field`` and ``reason``.

    ``field`` names the field (``"type"`` for an unknown type, ``"fields"`` when the
    values are not an object); ``reason`` says what is wrong (``required``,
    ``hours-overlap``…) and picks the sentence (``invalid-field:<reason>`` in
    :mod:`wikicoop.error_messages`); the other params fill it in.
    """

    def __init__(self, field: str, reason: str, **params: Any) -> None:
        kind = str(params.get("kind", ""))
        params.setdefault("expected", EXAMPLES.get(kind, "?"))
        super().__init__(
            "invalid-field", status=400, field=field, reason=reason, variant=reason, **params
        )
        self.field = field
        self.reason = reason


def _labels(raw: object, fallback: str, where: str) -> dict[str, str]:
    """``{"fr", "en"}`` from a dict or one string (used for both languages)."""
    if raw is None:
        return {"fr": fallback, "en": fallback}
    if isinstance(raw, str) and raw.strip():
        return {"fr": raw.strip(), "en": raw.strip()}
    if isinstance(raw, Mapping) and all(isinstance(v, str) for v in raw.values()):
        labels = {str(k): str(v) for k, v in raw.items()}
        if not labels:
            raise PageTypeError(f"{where}: empty label")
        first = labels.get("fr") or next(iter(labels.values()))
        labels.setdefault("fr", first)
        labels.setdefault("en", labels["fr"])
        return labels
    raise PageTypeError(f"{where}: a label is a string or {{'fr': …, 'en': …}}")


def _pick(labels: Mapping[str, str], lang: str) -> str:
    return labels.get(lang) or labels.get("fr") or next(iter(labels.values()), "")


@dataclass(frozen=True)
class Field:
    """One field of a page type: ``name``, ``kind`` (see :data:`KINDS`), labels, choices."""

    name: str
    kind: str
    label: Mapping[str, str] = field(default_factory=dict)
    required: bool = False
    choices: tuple[str, ...] = ()

    def label_for(self, lang: str) -> str:
        """The field's label in ``lang`` (French when it has none)."""
        return _pick(self.label, lang) or self.name

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of the declaration (``GET /api/v1/page-types``)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "label": dict(self.label),
            "required": self.required,
            "choices": list(self.choices) if self.kind in ("choice", "choices") else None,
        }


@dataclass(frozen=True)
class PageType:
    """A declared page type; ``plugin`` is the declaring plugin (None for ``PAGE_TYPES``)."""

    name: str
    label: Mapping[str, str]
    fields: tuple[Field, ...]
    moderation: str | None = None
    plugin: str | None = None

    def field(self, name: str) -> Field | None:
        """The field called ``name``, or None."""
        return next((item for item in self.fields if item.name == name), None)

    def label_for(self, lang: str) -> str:
        """The type's label in ``lang`` (French when it has none)."""
        return _pick(self.label, lang) or self.name

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of the declaration (``GET /api/v1/page-types``)."""
        return {
            "name": self.name,
            "label": dict(self.label),
            "plugin": self.plugin,
            "moderation": self.moderation,
            "fields": [item.as_dict() for item in self.fields],
        }


def _named(
    raw: Mapping[str, Any], pattern: re.Pattern[str], keys: set[str], where: str, rule: str
) -> str:
    """The checked ``name`` of a declaration (of a type or a field) with only known ``keys``."""
    name = raw.get("name")
    if not isinstance(name, str) or not pattern.fullmatch(name):
        raise PageTypeError(f"{where} {name!r}: {rule}")
    unknown = set(raw) - keys
    if unknown:
        raise PageTypeError(f"{where} {name!r}: unknown keys {sorted(unknown)}")
    return name


def _field_from(raw: object, type_name: str) -> Field:
    if isinstance(raw, Field):
        raw = raw.as_dict()
    if not isinstance(raw, Mapping):
        raise PageTypeError(f"page type {type_name!r}: a field is a dict")
    keys = {"name", "kind", "label", "required", "choices"}
    rule = "a field name is lower-case letters, digits or _ (38 at most)"
    name = _named(raw, _FIELD_NAME_RE, keys, f"page type {type_name!r}, field", rule)
    where = f"page type {type_name!r}, field {name!r}"
    kind = raw.get("kind")
    if kind not in KINDS:
        raise PageTypeError(f"{where}: unknown kind {kind!r} (kinds: {', '.join(KINDS)})")
    choices = raw.get("choices")
    if kind in ("choice", "choices"):
        if not isinstance(choices, (list, tuple)) or not choices:
            raise PageTypeError(f"{where}: a {kind} field needs a non-empty list of choices")
        if not all(isinstance(item, str) and item.strip() for item in choices):
            raise PageTypeError(f"{where}: choices are non-empty strings")
        if len(set(choices)) != len(choices):
            raise PageTypeError(f"{where}: duplicate choice")
    elif choices:
        raise PageTypeError(f"{where}: only choice and choices fields take choices")
    required = raw.get("required", False)
    if not isinstance(required, bool):
        raise PageTypeError(f"{where}: required is true or false")
    return Field(
        name=name,
        kind=str(kind),
        label=_labels(raw.get("label"), name, where),
        required=required,
        choices=tuple(choices or ()),
    )


def page_type_from(
    declaration: Mapping[str, Any] | PageType, plugin: str | None = None
) -> PageType:
    """Check a declaration and build its :class:`PageType` (raises :class:`PageTypeError`)."""
    if isinstance(declaration, PageType):
        declaration = {**declaration.as_dict(), "plugin": plugin or declaration.plugin}
    if not isinstance(declaration, Mapping):
        raise PageTypeError("a page type declaration is a dict")
    keys = {"name", "label", "fields", "moderation", "plugin"}
    rule = "a type name is lower-case letters, digits, _ or -, at most 64"
    name = _named(declaration, _NAME_RE, keys, "page type", rule)
    moderation = declaration.get("moderation")
    if moderation is not None and moderation not in _MODERATION_MODES:
        raise PageTypeError(
            f"page type {name!r}: moderation is one of {', '.join(_MODERATION_MODES)}"
        )
    raw_fields = declaration.get("fields") or []
    if not isinstance(raw_fields, (list, tuple)):
        raise PageTypeError(f"page type {name!r}: fields is a list")
    fields = tuple(_field_from(raw, name) for raw in raw_fields)
    names = [item.name for item in fields]
    duplicates = sorted({item for item in names if names.count(item) > 1})
    if duplicates:
        raise PageTypeError(f"page type {name!r}: duplicate field {', '.join(duplicates)}")
    return PageType(
        name=name,
        label=_labels(declaration.get("label"), name, f"page type {name!r}"),
        fields=fields,
        moderation=moderation,
        plugin=plugin if plugin is not None else declaration.get("plugin"),
    )


class PageTypeRegistry:
    """The enabled page types of an app, by name, in the order they were registered."""

    def __init__(self) -> None:
        self._types: dict[str, PageType] = {}

    def register(
        self, declaration: Mapping[str, Any] | PageType, plugin: str | None = None
    ) -> PageType:
        """Check and add a declaration; a second type of the same name is an error."""
        page_type = page_type_from(declaration, plugin)
        if page_type.name in self._types:
            other = self._types[page_type.name].plugin or "PAGE_TYPES"
            raise PageTypeError(f"page type {page_type.name!r} is already declared by {other}")
        self._types[page_type.name] = page_type
        return page_type

    def get(self, name: str | None) -> PageType | None:
        """The type called ``name``, or None."""
        return self._types.get(name) if name else None

    def all(self) -> list[PageType]:
        """Every enabled type, in registration order."""
        return list(self._types.values())

    def require(self, name: str) -> PageType:
        """The type called ``name``; :class:`FieldError` (field ``type``) when unknown."""
        page_type = self.get(name)
        if page_type is None:
            raise FieldError("type", "unknown-type", value=str(name))
        return page_type

    def moderation_modes(self) -> dict[str, str]:
        """``{"type:<name>": mode}`` for the types that declare a mode (``MODERATION_MODES``)."""
        return {f"type:{t.name}": t.moderation for t in self._types.values() if t.moderation}

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def __len__(self) -> int:
        return len(self._types)


def registry_of(app: Any) -> PageTypeRegistry:
    """The registry of ``app`` (an empty one when :func:`init_app` did not run)."""
    registry = app.extensions.get(EXTENSION_KEY)
    return registry if registry is not None else PageTypeRegistry()


def _declarations(setting: object) -> list[Any]:
    """``PAGE_TYPES`` as a list: a JSON text (from the environment) is parsed."""
    if not setting:
        return []
    if isinstance(setting, str):
        setting = json.loads(setting)
    if isinstance(setting, Mapping):
        setting = [setting]
    if not isinstance(setting, (list, tuple)):
        raise PageTypeError("PAGE_TYPES is a list of page type declarations")
    return [json.loads(item) if isinstance(item, str) else item for item in setting]


def init_app(app: Any) -> PageTypeRegistry:
    """Build the registry from ``PAGE_TYPES`` and the plugins' ``page_types()`` hook.

    Call it after the plugin manager is set up (``app.extensions["wikicoop.plugins"]``).
    A declared moderation mode joins ``MODERATION_MODES`` as ``type:<name>``, unless the
    site set that key itself (the site's setting wins).
    """
    registry = PageTypeRegistry()
    for declaration in _declarations(app.config.get("PAGE_TYPES")):
        registry.register(declaration)
    manager = app.extensions.get("wikicoop.plugins")
    caller = getattr(getattr(manager, "hook", None), "page_types", None)
    if caller is not None:
        for impl in caller.get_hookimpls():
            declared = impl.function() or ()
            if isinstance(declared, (Mapping, PageType)):  # one declaration, not a list
                declared = [declared]
            for declaration in declared:
                registry.register(declaration, plugin=impl.plugin_name)
    modes = dict(registry.moderation_modes())
    modes.update(app.config.get("MODERATION_MODES") or {})
    app.config["MODERATION_MODES"] = modes
    app.extensions[EXTENSION_KEY] = registry
    return registry


def _drop_empty(kind: str, value: object) -> bool:
    return is_empty(value) or (kind == "hours" and hours_is_empty(value))


def validate_fields(
    page_type: PageType, fields: object, *, capitalize_first: bool = True
) -> dict[str, Any]:
    """Check ``fields`` against ``page_type``; return the normalised values (empty ones dropped).

    ``None`` is no values. Raises :class:`FieldError` naming the first bad field: an
    unknown field, a missing required one, or a value that does not fit its kind.
    """
    if fields is None:
        fields = {}
    if not isinstance(fields, Mapping):
        raise FieldError("fields", "not-an-object")
    for name in fields:
        if page_type.field(str(name)) is None:
            raise FieldError(str(name), "unknown-field")
    values: dict[str, Any] = {}
    for item in page_type.fields:
        raw = fields.get(item.name)
        if _drop_empty(item.kind, raw):
            if item.required:
                raise FieldError(item.name, "required")
            continue
        try:
            values[item.name] = check_value(
                item.kind, raw, choices=item.choices, capitalize_first=capitalize_first
            )
        except KindError as err:
            raise FieldError(item.name, err.reason, kind=item.kind, **err.params) from None
    return values


def _ordered_names(*sides: Mapping[str, Any]) -> list[str]:
    names: list[str] = []
    for side in sides:
        names.extend(name for name in side if name not in names)
    return names


def merge_fields(
    base: Mapping[str, Any] | None,
    ours: Mapping[str, Any] | None,
    theirs: Mapping[str, Any] | None,
) -> tuple[dict[str, Any], list[str]]:
    """Three-way merge of field values, field by field.

    ``ours`` is the edit being saved, ``theirs`` what was saved since ``base``. A field
    changed on one side takes that side's value; changed identically on both, that
    value; changed differently on both, it is a conflict: its name is listed and the
    merged dict keeps ``theirs`` (the saved value). Returns ``(merged, conflicts)``.
    """
    base, ours, theirs = dict(base or {}), dict(ours or {}), dict(theirs or {})
    merged: dict[str, Any] = {}
    conflicts: list[str] = []
    for name in _ordered_names(theirs, ours, base):
        old, mine, other = base.get(name), ours.get(name), theirs.get(name)
        if mine in (other, old):
            value = other
        elif other == old:
            value = mine
        else:
            conflicts.append(name)
            value = other
        if value is not None:
            merged[name] = value
    return merged, conflicts


def changed_fields(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> list[str]:
    """Names of the fields whose value differs between ``old`` and ``new``."""
    old, new = dict(old or {}), dict(new or {})
    return [name for name in _ordered_names(old, new) if old.get(name) != new.get(name)]


def field_changes_json(
    old_type: str | None,
    old: Mapping[str, Any] | None,
    new_type: str | None,
    new: Mapping[str, Any] | None,
) -> list[dict[str, Any]]:
    """The type and field changes between two versions, as JSON for the API:
    ``[{"field": name or "type", "old": value, "new": value}]``."""
    changes = []
    if (old_type or None) != (new_type or None):
        changes.append({"field": "type", "old": old_type or None, "new": new_type or None})
    before, after = dict(old or {}), dict(new or {})
    for name in changed_fields(before, after):
        changes.append({"field": name, "old": before.get(name), "new": after.get(name)})
    return changes


def iter_types(registry: PageTypeRegistry | None) -> Iterable[PageType]:
    """The registry's types, or none when there is no registry."""
    return registry.all() if registry is not None else ()
