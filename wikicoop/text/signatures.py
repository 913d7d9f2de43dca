"""Signatures as MediaWiki writes them: ``~~~~`` (name and date), ``~~~`` (name),
``~~~~~`` (date), replaced by the text they stand for when a page is saved.

Tildes in code are left alone: inside a code span (`` `~~~~` ``) or a fenced code block.
A line starting with ``~~~~`` or ``~~~~~`` is a signature, not a code fence: people
coming from MediaWiki sign on a line of their own, and this wiki's help teaches code
blocks with backticks. A tilde fence still opens a code block when it has six tildes or
more, or when it is ``~~~`` alone or names a language in one word (``~~~python``), and
is closed further on (unclosed, it is a signature).

:func:`code_regions` (where the code is) is shared with :mod:`wikicoop.text.mediawiki`.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.core import UnknownLocaleError
from babel.dates import format_date

from .titles import TitleError, parse_title

__all__ = [
    "code_regions",
    "expand_signatures",
    "signature_date",
    "user_link",
]

#: ``~~~``, ``~~~~`` or ``~~~~~`` alone (a longer run of tildes is not a signature)
_SIGNATURE = re.compile(r"(?<!~)~{3,5}(?!~)")
#: a fence opener: indentation, three or more backticks or tildes, the info string
_FENCE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)$")
#: a code span on one line: a run of backticks, then the same run
_ONE_WORD = re.compile(r"^[ \t]*[\w+#.-]+[ \t]*$")
_BACKTICKS = re.compile(r"`+")
_TILDE_LINE = re.compile(r"^[ \t]{0,3}(~{3,})[ \t]*\n?$")

#: how the date and the time are joined, per language (the rest: "date, time")
_AT = {"fr": "{date} à {time}", "en": "{date} at {time}", "br": "{date} da {time}"}


def _is_fence_opener(fence: str, info: str, longest_after: int) -> bool:
    """Whether a line of backticks or tildes opens a code block (see the module doc);
    ``longest_after`` is the longest line of tildes alone further on (a closing fence)."""
    if fence[0] == "`":
        return "`" not in info  # CommonMark: a backtick fence's info has no backtick
    if len(fence) >= 6:
        return True
    if info.strip() and not _ONE_WORD.match(info):
        return False
    if not info.strip() and len(fence) > 3:
        return False  # ``~~~~``, ``~~~~~`` alone on a line: MediaWiki's signatures
    return longest_after >= len(fence)


def _longest_tilde_lines_after(lines: list[str]) -> list[int]:
    """For each line, the longest line made only of tildes (a possible closing fence)
    among the lines after it (0: none). One pass from the end: linear."""
    longest, result = 0, [0] * len(lines)
    for index in range(len(lines) - 1, -1, -1):
        result[index] = longest
        match = _TILDE_LINE.match(lines[index])
        if match:
            longest = max(longest, len(match.group(1)))
    return result


def _code_spans(line: str) -> list[tuple[int, int]]:
    """The code spans of one line, as CommonMark pairs backtick runs: a run opens, the
    next run of the same length closes (linear, however many runs are left open)."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(line)]
    following: list[int | None] = [None] * len(runs)
    last_of_length: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        length = runs[index][1] - runs[index][0]
        following[index] = last_of_length.get(length)
        last_of_length[length] = index
    spans, index = [], 0
    while index < len(runs):
        closing = following[index]
        if closing is None:
            index += 1
            continue
        spans.append((runs[index][0], runs[closing][1]))
        index = closing + 1
    return spans


def code_regions(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` offsets of the code in ``text``, in order: fenced code
    blocks (an unclosed one runs to the end, as in CommonMark) and code spans (looked
    for on one line only).

    :param text: Markdown text with ``\\n`` line ends.
    """
    regions: list[tuple[int, int]] = []
    pos = 0
    fence: str | None = None  # the opener while inside a fenced block
    block_start = 0
    lines = text.splitlines(keepends=True)
    closings = _longest_tilde_lines_after(lines) if "~~~" in text else [0] * len(lines)
    for number, line in enumerate(lines):
        bare = line.rstrip("\n")
        if fence is not None:
            stripped = bare.strip()
            if (
                stripped
                and set(stripped) == {fence[0]}
                and len(stripped) >= len(fence)
                and len(bare) - len(bare.lstrip()) < 4
            ):
                regions.append((block_start, pos + len(line)))
                fence = None
        else:
            match = _FENCE.match(bare)
            if match and _is_fence_opener(
                match.group("fence"), match.group("info"), closings[number]
            ):
                fence, block_start = match.group("fence"), pos
            elif "`" in bare:
                regions.extend((pos + start, pos + end) for start, end in _code_spans(bare))
        pos += len(line)
    if fence is not None:
        regions.append((block_start, len(text)))
    return regions


def signature_date(when: datetime, timezone: str, *, locale: str = "fr") -> str:
    """The date of a signature, as a reader says it: « 4 décembre 2026 à 18:42 (CET) ».

    :param when: the moment (a naive datetime is taken as UTC, as the database stores).
    :param timezone: a tz database name (the ``TIMEZONE`` setting); an unknown one
        falls back to UTC rather than refusing the save.
    :param locale: the site's language (``DEFAULT_LANGUAGE``).
    """
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        zone: ZoneInfo | None = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    local = when.astimezone(zone) if zone is not None else when.astimezone(UTC)
    language = locale.split("_")[0].split("-")[0].lower()
    try:
        date = format_date(local, format="long", locale=locale)
    except (
        ValueError,
        LookupError,
        UnknownLocaleError,
    ):  # an unknown locale name: French, the default
        language, date = "fr", format_date(local, format="long", locale="fr")
    joined = _AT.get(language, "{date}, {time}").format(date=date, time=local.strftime("%H:%M"))
    return f"{joined} ({local.tzname() or 'UTC'})"


def user_link(author_name: str) -> str:
    """The name part of a signature: ``[[Utilisateur:Nom|Nom]]`` (an address too, as
    MediaWiki links an anonymous writer's address), or the bare name when it cannot be
    a page title."""
    name = " ".join(author_name.split())
    if not name:
        return ""
    try:
        parse_title("Utilisateur:" + name, allow_fragment=False)
    except TitleError:
        return name
    return f"[[Utilisateur:{name}|{name}]]"


def is_address(author_name: str) -> bool:
    """Whether an author name is an IP address (an anonymous writer)."""
    try:
        ipaddress.ip_address(author_name.strip())
    except ValueError:
        return False
    return True


def expand_signatures(
    text: str, author_name: str, when: datetime, timezone: str, *, locale: str = "fr"
) -> str:
    """Replace ``~~~~`` (name and date), ``~~~`` (name) and ``~~~~~`` (date) outside
    code by the signature of ``author_name`` at ``when``.

    :param text: the page text being saved.
    :param author_name: the account's name, or the writer's IP address when anonymous
        (linked to its user page like MediaWiki does).
    :param when: the moment of the save (naive: UTC).
    :param timezone: the site's ``TIMEZONE`` setting (e.g. ``Europe/Paris``).
    :param locale: the site's language, for the date.
    :returns: the text, unchanged when it has no signature outside code.
    """
    if "~~~" not in text:
        return text
    link = user_link(author_name)
    date = signature_date(when, timezone, locale=locale)
    replacements = {3: link, 4: f"{link} {date}" if link else date, 5: date}
    out: list[str] = []
    pos = 0
    for start, end in [*code_regions(text), (len(text), len(text))]:
        out.append(_SIGNATURE.sub(lambda m: replacements[len(m.group())], text[pos:start]))
        out.append(text[start:end])
        pos = end
    return "".join(out)
