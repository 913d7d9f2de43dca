"""The workshop page type (``atelier``): its declaration, the rules the core's field kinds
do not know (an end after the start, a capacity of one or more, a weekly series with an
end date), and a workshop read from its fields, with its occurrences.

Times are typed on the wiki's clock (the site's ``TIMEZONE``, Europe/Paris by default, or
``OUTILLER_TIMEZONE`` when set):
a start without an offset is local time; one with an offset is converted to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from wikicoop.core.page_types import FieldError
from wikicoop.core.typed_pages import TypedPage
from wikicoop.error_messages import N_, register
from wikicoop.text.titles import Title, parse_title

TYPE_NAME = "atelier"
DEFAULT_TIMEZONE = "Europe/Paris"

LEVELS = ["débutant", "intermédiaire", "confirmé"]
TOPICS = [
    "wiki",
    "blog",
    "écriture publique",
    "audio",
    "vidéo",
    "cartographie",
    "photo",
    "logiciels libres",
    "démarches en ligne",
]
ONCE = "aucune"
WEEKLY = "chaque semaine"
RECURRENCES = [ONCE, WEEKLY]
#: a weekly series is at most a year long (the occurrences are listed one by one)
MAX_OCCURRENCES = 53


def _field(name: str, kind: str, fr: str, en: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "kind": kind, "label": {"fr": fr, "en": en}, **extra}


ATELIER: dict[str, Any] = {
    "name": TYPE_NAME,
    "label": {"fr": "Atelier", "en": "Workshop"},
    "fields": [
        _field("debut", "datetime", "Début", "Start", required=True),
        _field("fin", "datetime", "Fin", "End", required=True),
        _field("lieu", "page", "Lieu (titre de la page)", "Place (page title)", required=True),
        _field(
            "animateurs",
            "text",
            "Animateurs (comptes, séparés par des virgules)",
            "Facilitators (accounts, comma-separated)",
        ),
        _field("public", "text", "Public", "Audience"),
        _field("niveau", "choice", "Niveau", "Level", choices=LEVELS),
        _field("places", "number", "Nombre de places", "Capacity", required=True),
        _field("themes", "choices", "Thèmes", "Topics", choices=TOPICS),
        _field(
            "autres_themes",
            "text",
            "Autres thèmes (séparés par des virgules)",
            "Other topics (comma-separated)",
        ),
        _field("repetition", "choice", "Répétition", "Repeats", choices=RECURRENCES),
        _field("jusqu_au", "date", "Jusqu'au (atelier hebdomadaire)", "Until (weekly)"),
    ],
    "moderation": "newcomers",
}

register(
    {
        "invalid-field:outiller-end-before-start": N_(
            "Le champ « %(field)s » doit être après le début de l'atelier."
        ),
        "invalid-field:outiller-capacity": N_(
            "Le champ « %(field)s » attend un nombre entier de places, 1 ou plus."
        ),
        "invalid-field:outiller-until-needed": N_(
            "Le champ « %(field)s » est nécessaire pour un atelier hebdomadaire."
        ),
        "invalid-field:outiller-until-order": N_(
            "Le champ « %(field)s » doit être le jour du premier atelier ou après."
        ),
        "invalid-field:outiller-until-too-far": N_(
            "Le champ « %(field)s » : une série hebdomadaire dure %(max)s semaines au plus."
        ),
        "invalid-field:outiller-too-long": N_(
            "Le champ « %(field)s » : un atelier dure moins de 24 heures."
        ),
    }
)


def zone(name: str | None) -> ZoneInfo:
    """The time zone named (the wiki's clock); Europe/Paris when unknown."""
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def wiki_zone(settings: Mapping[str, Any]) -> ZoneInfo:
    """The wiki's clock: ``OUTILLER_TIMEZONE`` when set, else the site's ``TIMEZONE``."""
    return zone(settings.get("OUTILLER_TIMEZONE") or settings.get("TIMEZONE"))


def read_moment(text: str, tz: ZoneInfo) -> datetime:
    """A stored ``datetime`` value on the wiki's clock (aware)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.astimezone(tz) if moment.tzinfo else moment.replace(tzinfo=tz)


def check_fields(fields: dict[str, Any], tz: ZoneInfo) -> None:
    """Refuse an end before the start, a capacity under 1 or fractional, a weekly series
    without an end date or longer than a year (:class:`FieldError` naming the field;
    the core checked the kinds and the required fields already)."""
    start_text, end_text = fields.get("debut"), fields.get("fin")
    if start_text and end_text:
        start, end = read_moment(start_text, tz), read_moment(end_text, tz)
        if end <= start:
            raise FieldError("fin", "outiller-end-before-start")
        if end - start >= timedelta(days=1):
            raise FieldError("fin", "outiller-too-long")
    capacity = fields.get("places")
    if capacity is not None and (capacity != int(capacity) or capacity < 1):
        raise FieldError("places", "outiller-capacity")
    if fields.get("repetition") == WEEKLY and start_text:
        until = fields.get("jusqu_au")
        if not until:
            raise FieldError("jusqu_au", "outiller-until-needed")
        first = read_moment(start_text, tz).date()
        last = date.fromisoformat(until)
        if last < first:
            raise FieldError("jusqu_au", "outiller-until-order")
        if (last - first).days // 7 + 1 > MAX_OCCURRENCES:
            raise FieldError("jusqu_au", "outiller-until-too-far", max=MAX_OCCURRENCES)


def split_list(text: str | None) -> list[str]:
    """``"a, b,,c"`` → ``["a", "b", "c"]``."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


@dataclass(frozen=True)
class Workshop:
    """A published workshop page read from its fields."""

    page_id: int
    title: Title
    start: datetime  # the first occurrence, local and aware
    duration: timedelta
    place: str
    facilitators: tuple[str, ...]
    audience: str
    level: str
    capacity: int
    topics: tuple[str, ...]
    weekly: bool
    until: date | None
    revision_id: int = 0  # the published revision the values come from

    @property
    def starts(self) -> list[datetime]:
        """The local starts of every occurrence (one, or one a week until ``until``)."""
        if not self.weekly or self.until is None:
            return [self.start]
        out, moment = [], self.start
        while moment.date() <= self.until and len(out) < MAX_OCCURRENCES:
            out.append(moment)
            # same wall-clock time each week, across a change of summer time
            moment = (moment.replace(tzinfo=None) + timedelta(days=7)).replace(
                tzinfo=self.start.tzinfo
            )
        return out

    def is_facilitator(self, username: str | None) -> bool:
        """Whether the account ``username`` facilitates this workshop (case-insensitive)."""
        if not username:
            return False
        key = username.casefold()
        return any(name.casefold() == key for name in self.facilitators)


def workshop_of(page: TypedPage, tz: ZoneInfo) -> Workshop | None:
    """The workshop of a typed page, or None when its stored values cannot be read (a
    page saved before a rule existed, or by a system edit)."""
    fields = page.fields
    try:
        start = read_moment(fields["debut"], tz)
        end = read_moment(fields["fin"], tz)
        capacity = int(fields.get("places") or 0)
        until = date.fromisoformat(fields["jusqu_au"]) if fields.get("jusqu_au") else None
    except (KeyError, TypeError, ValueError):
        return None
    if end <= start or capacity < 1:
        return None
    topics = tuple(fields.get("themes") or ()) + tuple(split_list(fields.get("autres_themes")))
    return Workshop(
        page_id=page.page_id,
        title=page.title,
        start=start,
        duration=end - start,
        place=str(fields.get("lieu") or ""),
        facilitators=tuple(split_list(fields.get("animateurs"))),
        audience=str(fields.get("public") or ""),
        level=str(fields.get("niveau") or ""),
        capacity=capacity,
        topics=topics,
        weekly=fields.get("repetition") == WEEKLY,
        until=until,
        revision_id=page.revision_id,
    )


def place_title(place: str) -> Title | None:
    """The place's page title, when it is one."""
    try:
        return parse_title(place)
    except Exception:  # a stored value the title rules refuse now: shown as plain text
        return None
