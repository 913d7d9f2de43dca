"""MediaWiki as a peer of ``bench_views.py``: the same pages, served the same way.

A benchmark tool (issue 14, point 5), not a part of the wiki. Debian's MediaWiki (the
``mediawiki`` package, 1.39) is installed from its code in ``/usr/share/mediawiki``, read
only, into a folder of its own: ``LocalSettings.php``, the SQLite databases, the caches,
logs, sockets and the configuration of PHP-FPM and nginx all live in the folder, nothing
under ``/etc`` is read for the wiki or written (the code finds its settings through the
``MW_CONFIG_FILE`` environment variable, set in PHP-FPM's pool). The pages are converted
from Markdown to wikitext (:func:`to_wikitext`) and imported in bulk by
``importDump.php``; « Catégorie: » pages are MediaWiki's categories (the wiki speaks
French), « Aide: » pages its Help namespace.

It is served by nginx (one worker process, no access log) in front of PHP-FPM with
``pm = static`` and two workers, as wikicoop runs two gunicorn workers: the two PHP
workers are the processes whose memory is measured (:func:`worker_pids`).

The settings are those of a default install plus what a small site's admin would set
for speed without extra servers: opcache (PHP-FPM's default), APCu as the main object
cache when php-apcu is installed (``CACHE_ACCEL``, else ``CACHE_DB``), the parser cache
in the database (``CACHE_DB``: it survives a restart and is not evicted by APCu's 32 MB,
as wikicoop keeps its renderings in its database), the localisation cache built ahead
in ``$wgCacheDirectory``, the sidebar cached, and jobs run by ``runJobs.php`` at
preparation rather than on page views (``$wgJobRunRate = 0``). MediaWiki's file cache
(``$wgUseFileCache``, which serves anonymous views as static files and so bypasses PHP)
exists and is left OFF, as wikicoop is measured without a caching proxy in front.

Differences worth knowing when reading the figures: MediaWiki renders a page once and
keeps it in its parser cache, so after the warm-up a view reads the cached HTML and
builds the skin around it; each page has one revision here where the wikicoop bench wiki
holds five; the first views after preparation are slow until the parser cache is filled.
The conversion of Markdown is rough (:func:`to_wikitext` says what it knows), meant for
a comparable amount of rendering work, not for equal pages. MediaWiki takes the
modification time of ``LocalSettings.php`` as the epoch of its caches: editing the file
by hand throws every stored rendering away.

Needs Debian's packages (:func:`missing` names those lacking)::

    apt-get install -y mediawiki php-fpm php-sqlite3 php-intl php-mbstring php-xml \
        php-apcu nginx

Preparing the 2,000 pages of the bench wiki took 87 s on a 2-core machine (importDump.php
67 s: it parses each page and updates the link tables). By hand, on made-up pages::

    python bench/peer_mediawiki.py --folder /tmp/mediawiki --pages 50 --port 5070
"""

from __future__ import annotations

import argparse
import glob
import html
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from hashlib import blake2b
from pathlib import Path
from urllib.parse import quote, unquote
from xml.sax.saxutils import escape

from bench_core import sample_pages

NAME = "MediaWiki"
#: Debian's MediaWiki code, used read only
MEDIAWIKI = Path("/usr/share/mediawiki")
#: PHP extensions MediaWiki needs (php -m names) and the package that brings each
PHP_MODULES = {
    "pdo_sqlite": "php-sqlite3",
    "intl": "php-intl",
    "mbstring": "php-mbstring",
    "dom": "php-xml",
    "xmlreader": "php-xml",
}
#: the peer's marker: the number of pages, a hash of their titles, the recipe's version
READY = "prepared.txt"
#: bumped when the conversion or the settings change (a folder prepared before is redone)
RECIPE = "mediawiki-1"
#: what prepare() writes in the folder (removed before preparing anew)
OWN = (
    READY,
    "LocalSettings.php",
    "data",
    "cache",
    "images",
    "tmp",
    "logs",
    "run",
    "pages.xml",
    "nginx.conf",
    "php-fpm.conf",
    "serve.sh",
)
ADMIN = "Admin"
ADMIN_PASSWORD = "bench-mediawiki-admin"
SITENAME = "Bench MediaWiki"
#: MediaWiki's namespaces in French (the project's is named after the site) -> the name
#: of their talk namespace ("" is the main namespace)
TALK_OF = {
    "": "Discussion",
    "Utilisateur": "Discussion utilisateur",
    SITENAME: f"Discussion {SITENAME}",
    "Fichier": "Discussion fichier",
    "MediaWiki": "Discussion MediaWiki",
    "Modèle": "Discussion modèle",
    "Aide": "Discussion aide",
    "Catégorie": "Discussion catégorie",
}
#: every prefix MediaWiki (in French) reads as a namespace, folded -> its French name;
#: wikicoop's own prefixes (« Help: », « Categorie: »…) are among them
NAMESPACES = {
    **{name.casefold(): name for name in TALK_OF if name},
    **{talk.casefold(): talk for talk in TALK_OF.values()},
    "categorie": "Catégorie",
    "category": "Catégorie",
    "category talk": "Discussion catégorie",
    "discuter": "Discussion",
    "discussion image": "Discussion fichier",
    "discussion utilisatrice": "Discussion utilisateur",
    "file": "Fichier",
    "file talk": "Discussion fichier",
    "help": "Aide",
    "help talk": "Discussion aide",
    "image": "Fichier",
    "image talk": "Discussion fichier",
    "mediawiki talk": "Discussion MediaWiki",
    "modele": "Modèle",
    "project": SITENAME,
    "project talk": f"Discussion {SITENAME}",
    "talk": "Discussion",
    "template": "Modèle",
    "template talk": "Discussion modèle",
    "user": "Utilisateur",
    "user talk": "Discussion utilisateur",
    "utilisatrice": "Utilisateur",
}
#: prefixes MediaWiki would never let a page have (its virtual namespaces); a wikicoop
#: title such as « Special:X » keeps its look with a modifier letter colon instead
VIRTUAL = {"special", "spécial", "media", "média"}
LOOKALIKE_COLON = "\ua789"


# ----------------------------------------------------------------------- environment


def _php_fpm() -> str | None:
    """PHP-FPM's binary (Debian names it after PHP's version: php-fpm8.2)."""
    found = shutil.which("php-fpm") or shutil.which("php-fpm", path="/usr/sbin:/usr/local/sbin")
    if found:
        return found
    versions = sorted(glob.glob("/usr/sbin/php-fpm[0-9]*"))
    return versions[-1] if versions else None


def _nginx() -> str | None:
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


def _php_modules(php: str) -> set[str]:
    done = subprocess.run([php, "-m"], capture_output=True, text=True, check=False)
    return {line.strip().lower() for line in done.stdout.splitlines()}


def missing() -> str | None:
    """None when everything needed is installed; else a one-line reason naming the
    apt-get command."""
    lacking: list[str] = []
    if not (MEDIAWIKI / "index.php").exists():
        lacking.append("mediawiki")
    php = shutil.which("php")
    # php-apcu is optional: without it the main cache is the database (CACHE_DB)
    modules = _php_modules(php) if php is not None else set()
    if php is None:
        lacking.append("php-cli")  # and the modules: named now, not after a first install
    lacking += [package for module, package in PHP_MODULES.items() if module not in modules]
    if _php_fpm() is None:
        lacking.append("php-fpm")
    if _nginx() is None:
        lacking.append("nginx")
    if shutil.which("bash") is None:
        lacking.append("bash")
    if not lacking:
        return None
    packages = " ".join(dict.fromkeys(lacking))
    return f"MediaWiki's peer needs Debian packages: apt-get install -y {packages}"


def version(folder: Path | None = None) -> str:
    """The release of MediaWiki installed (from its Defines.php; the same for every
    ``folder``, which the peers' common signature names)."""
    del folder
    try:
        defines = (MEDIAWIKI / "includes" / "Defines.php").read_text(encoding="utf-8")
    except OSError:
        return "?"
    found = re.search(r"define\(\s*'MW_VERSION',\s*'([^']+)'", defines)
    return found.group(1) if found else "?"


# ----------------------------------------------------------------------- titles


def _ucfirst(name: str) -> str:
    """The first letter in capital when that is one character (as wikicoop and
    MediaWiki do: « ß » stays)."""
    if not name:
        return name
    upper = name[0].upper()
    return (upper if len(upper) == 1 else name[0]) + name[1:]


def mw_title(title: str) -> str:
    """The MediaWiki title (with spaces) of a wikicoop title, in the canonical form
    MediaWiki gives it: its namespace under MediaWiki's French name, the first letter
    after it in capital; other prefixes stay in the main namespace.

    wikicoop's single talk namespace becomes MediaWiki's talk namespace of the subject
    (« Discussion:Aide:X » → « Discussion aide:X »), as MediaWiki refuses a namespace
    inside « Discussion: ».
    """
    title = " ".join(title.replace("_", " ").split())
    leading = ":" if title.startswith(":") else ""
    title = title.removeprefix(":").lstrip()
    prefix, colon, rest = title.partition(":")
    key = " ".join(prefix.casefold().split())
    if not colon:
        return leading + _ucfirst(title)
    if key in VIRTUAL:
        return leading + _ucfirst(f"{prefix}{LOOKALIKE_COLON}{rest}")
    if key not in NAMESPACES:
        return leading + _ucfirst(title)
    namespace, rest = NAMESPACES[key], rest.strip()
    if namespace == "Discussion":
        subject = mw_title(rest)
        inner, colon, name = subject.partition(":")
        if colon and inner in TALK_OF:
            return f"{leading}{TALK_OF[inner]}:{name}"
        if colon and inner.casefold() in NAMESPACES:  # a talk page's talk page
            subject = f"{inner}{LOOKALIKE_COLON}{name}"
        return f"{leading}Discussion:{subject}"
    return f"{leading}{namespace}:{_ucfirst(rest)}"


def page_path(title: str) -> str:
    """The URL path of a page title, as MediaWiki writes it (« /wiki/Aide:Écrire_une_page »):
    underscores for spaces, the namespace's French name, so that the answer is a 200 and
    not a redirect to the canonical address."""
    dbkey = mw_title(title).replace(" ", "_")
    return "/wiki/" + quote(dbkey, safe="/:,;@$!*()~'")


# ----------------------------------------------------------------------- Markdown → wikitext

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_BULLET = re.compile(r"^([ \t]*)[-*+][ \t]+(.*)$")
_ORDERED = re.compile(r"^([ \t]*)\d{1,9}[.)][ \t]+(.*)$")
_QUOTE = re.compile(r"^ {0,3}>[ \t]?(.*)$")
_TABLE_DELIMITER = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
#: inline parts kept out of the emphasis rules: code, escapes, wiki links, images,
#: links, autolinks, bare URLs
_PROTECTED = re.compile(
    r"(?P<code>(?P<ticks>`+)(?P<codetext>.+?)(?P=ticks))"
    r"|(?P<escape>\\(?P<escaped>[\\`*_{}\[\]()#+\-.!|<>~]))"
    r"|(?P<wikilink>\[\[(?P<target>[^\[\]|]+)(?P<label>\|[^\[\]]*)?\]\])"
    r"|(?P<image>!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)(?:[ \t]+\"[^\"]*\")?\))"
    r"|(?P<link>\[(?P<text>[^\]]+)\]\((?P<url>[^)\s]+)(?:[ \t]+\"[^\"]*\")?\))"
    r"|(?P<autolink><(?P<auto>(?:https?|ftp|mailto):[^>\s]+)>)"
    r"|(?P<bare>\b(?:https?|ftp)://[^\s<>\[\]]+)"
)
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)")
_EM = re.compile(
    r"(?<![*\w])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![*\w])"
    r"|(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])"
)
_ABSOLUTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//|^(?:mailto|tel|news|irc):", re.IGNORECASE)
#: what would start a block of wikitext at the beginning of a line of prose
_WIKI_BLOCK_START = re.compile(r"^(?:[*#:;= ]|\{\||----)")
#: characters XML 1.0 cannot hold
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _wrap(marks: str, tag: str) -> Callable[[re.Match[str]], str]:
    """Emphasis as MediaWiki's apostrophes, or as an HTML tag where an apostrophe next to
    the apostrophes (« l'*eau* ») would change their meaning."""

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1) if match.group(1) is not None else match.group(2)
        before = match.string[match.start() - 1] if match.start() else ""
        after = match.string[match.end()] if match.end() < len(match.string) else ""
        if "'" in (before, after, inner[:1], inner[-1:]):
            return f"<{tag}>{inner}</{tag}>"
        return f"{marks}{inner}{marks}"

    return replace


_BOLD = _wrap("'''", "b")
_ITALIC = _wrap("''", "i")


def _link_target(target: str) -> str:
    """A wiki link's target with its namespace as MediaWiki names it."""
    fragment = ""
    if "#" in target:
        target, hash_, fragment = target.partition("#")
        fragment = hash_ + fragment
    if not target.strip():
        return fragment
    return mw_title(target) + fragment


def _inline(text: str) -> str:
    """Inline Markdown of one line as wikitext."""
    kept: list[str] = []

    def keep(wikitext: str) -> str:
        kept.append(wikitext)
        return f"\x00{len(kept) - 1}\x00"

    def protect(match: re.Match[str]) -> str:
        if match.group("code"):
            code = html.escape(match.group("codetext").strip(), quote=False)
            return keep(f"<code><nowiki>{code}</nowiki></code>")
        if match.group("escape"):
            return keep(f"<nowiki>{html.escape(match.group('escaped'), quote=False)}</nowiki>")
        if match.group("wikilink"):
            label = match.group("label") or ""
            return keep(f"[[{_link_target(match.group('target'))}{label}]]")
        if match.group("image"):
            src, alt = match.group("src"), match.group("alt")
            return keep(f"[{src} {alt or src}]" if _ABSOLUTE.match(src) else alt)
        if match.group("link"):
            url, label = match.group("url"), _emphasis(match.group("text"))
            if _ABSOLUTE.match(url):
                return keep(f"[{url} {label}]")
            target = unquote(url.removeprefix("/wiki/").lstrip("/")).replace("_", " ")
            return keep(f"[[{_link_target(target)}|{label}]]" if target else label)
        if match.group("autolink"):
            return keep(match.group("auto"))
        return keep(match.group("bare"))

    text = _emphasis(_PROTECTED.sub(protect, text))
    while "\x00" in text:  # a kept part may hold another (a link's emphasised label)
        text = re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], text)
    return text


def _emphasis(text: str) -> str:
    return _EM.sub(_ITALIC, _STRONG.sub(_BOLD, text))


def _cells(line: str) -> list[str]:
    line = line.strip()
    line = line.removeprefix("|")
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    return [cell.strip().replace("\\|", "&#124;") for cell in _CELL_SPLIT.split(line)]


def _table(header: str, rows: Sequence[str]) -> list[str]:
    """A pipe table as a MediaWiki table (class « wikitable »)."""
    out = ['{| class="wikitable"', "! " + " !! ".join(_inline(c) or " " for c in _cells(header))]
    for row in rows:
        out += ["|-", "| " + " || ".join(_inline(c) or " " for c in _cells(row))]
    out.append("|}")
    return out


def to_wikitext(markdown: str) -> str:
    """Markdown (as wikicoop stores it) turned roughly into wikitext.

    Converted: ATX headings (``#`` to ``######`` → ``=`` to ``======``), bullet and
    numbered lists (nested by indentation; a continuation line joins its item), pipe
    tables (→ ``{| class="wikitable"``), fenced code (→ ``<pre>``), block quotes (→
    ``<blockquote>``), horizontal rules, ``**bold**``/``__bold__`` (→ ``'''``),
    ``*em*``/``_em_`` (→ ``''``), inline code (→ ``<code><nowiki>``), backslash escapes,
    ``[label](url)`` (→ ``[url label]``, or an internal link for a relative URL), images
    (→ a link), hard line breaks (→ ``<br />``). ``[[Link]]``, ``[[Link|label]]`` and
    ``[[Catégorie:X]]`` are kept, their namespace named as MediaWiki names it. A line of
    prose that wikitext would read as a list, an indent, a heading or a table starts with
    ``<nowiki/>``. Not handled: setext headings, indented code blocks, HTML blocks, and
    wikitext hidden in the prose (``''``, ``{{…}}``, ``__TOC__``), which MediaWiki reads
    as its own.
    """
    lines = _NOT_XML.sub("", markdown.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
    out: list[str] = []
    lists: list[tuple[int, str]] = []  # the open list levels: (indentation, "*" or "#")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        fence = _FENCE.match(line)
        if fence:
            mark = fence.group(1)
            body: list[str] = []
            while i < len(lines) and not lines[i].strip().startswith(mark):
                body.append(lines[i])
                i += 1
            i += 1  # the closing fence
            lists.clear()
            out.append("<pre>" + html.escape("\n".join(body), quote=False) + "</pre>")
            continue
        if "|" in line and i < len(lines) and "|" in lines[i] and _TABLE_DELIMITER.match(lines[i]):
            rows: list[str] = []
            i += 1
            while i < len(lines) and lines[i].strip() and "|" in lines[i]:
                rows.append(lines[i])
                i += 1
            lists.clear()
            out += _table(line, rows)
            continue
        if not line.strip():
            lists.clear()
            out.append("")
            continue
        item = _BULLET.match(line) or _ORDERED.match(line)
        if item and not _RULE.match(line):
            indent = len(item.group(1).expandtabs(4))
            kind = "*" if item.re is _BULLET else "#"
            while lists and lists[-1][0] > indent:
                lists.pop()
            if lists and lists[-1][0] == indent:
                lists[-1] = (indent, kind)
            else:
                lists.append((indent, kind))
            prefix = "".join(k for _, k in lists)
            out.append(f"{prefix} {_inline(item.group(2).strip())}")
            continue
        if lists and line[:1] in (" ", "\t"):  # the continuation of a list item
            out[-1] += " " + _inline(line.strip())
            continue
        lists.clear()
        heading = _HEADING.match(line)
        if heading:
            marks = "=" * len(heading.group(1))
            out.append(f"{marks} {_inline((heading.group(2) or '').strip())} {marks}")
        elif _RULE.match(line):
            out.append("----")
        elif _QUOTE.match(line):
            quoted = [_QUOTE.match(line).group(1)]
            while i < len(lines) and _QUOTE.match(lines[i]):
                quoted.append(_QUOTE.match(lines[i]).group(1))
                i += 1
            out.append("<blockquote>" + to_wikitext("\n".join(quoted)).strip() + "</blockquote>")
        else:
            prose = _inline(line.strip())
            if _WIKI_BLOCK_START.match(prose):
                prose = "<nowiki/>" + prose
            if line.endswith("  ") and i < len(lines) and lines[i].strip():
                prose += "<br />"
            out.append(prose)
    return "\n".join(out).strip("\n") + "\n"


# ----------------------------------------------------------------------- preparation


def _marker(pages: Mapping[str, str]) -> str:
    digest = blake2b("\n".join(sorted(pages)).encode(), digest_size=12).hexdigest()
    return f"{len(pages)} {digest} {RECIPE}\n"


def _environment(folder: Path) -> dict[str, str]:
    """The environment of MediaWiki's maintenance scripts run on ``folder``'s wiki."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIKICOOP_", "PYTHON"))}
    env["MW_CONFIG_FILE"] = str(folder / "LocalSettings.php")
    env["TMPDIR"] = str(folder / "tmp")
    return env


def _maintenance(folder: Path, script: str, *args: str) -> None:
    """Run ``maintenance/<script>`` of Debian's MediaWiki on ``folder``'s wiki, its output
    in ``logs/maintenance.log``."""
    php = shutil.which("php") or "php"
    with (folder / "logs" / "maintenance.log").open("ab") as log:
        log.write(f"\n$ php maintenance/{script} {' '.join(args)}\n".encode())
        log.flush()
        started = time.perf_counter()
        done = subprocess.run(
            [php, str(MEDIAWIKI / "maintenance" / script), *args],
            cwd=MEDIAWIKI,
            env=_environment(folder),
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
        log.write(f"(maintenance/{script}: {time.perf_counter() - started:.1f} s)\n".encode())
    if done.returncode:
        raise RuntimeError(
            f"maintenance/{script} failed ({done.returncode}): see {folder}/logs/maintenance.log"
        )


def _has_apcu() -> bool:
    php = shutil.which("php")
    return php is not None and "apcu" in _php_modules(php)


def _php_string(value: str | Path) -> str:
    """A PHP single-quoted string literal."""
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _settings(folder: Path) -> str:
    """What is appended to the installer's LocalSettings.php."""
    main_cache = "CACHE_ACCEL" if _has_apcu() else "CACHE_DB"
    logs = folder / "logs"
    return f"""
# ---- bench/peer_mediawiki.py: paths in the peer's folder, settings for speed ----
# the port changes from run to run: the server is the one the request names
$wgServer = PHP_SAPI === 'cli' ? 'http://127.0.0.1' : WebRequest::detectServer();
$wgArticlePath = '/wiki/$1';
$wgUsePathInfo = true;
# Debian's PlatformSettings.php points these under /var: the folder's own instead
$wgCacheDirectory = {_php_string(folder / "cache")};
$wgUploadDirectory = {_php_string(folder / "images")};
$wgTmpDirectory = {_php_string(folder / "tmp")};
$wgDBerrorLog = {_php_string(logs / "dberror.log")};
$wgDebugLogGroups['exception'] = {_php_string(logs / "exception.log")};
$wgDebugLogGroups['error'] = {_php_string(logs / "error.log")};
$wgDebugLogGroups['fatal'] = {_php_string(logs / "fatal.log")};
# caches: APCu (shared by the PHP-FPM workers) when there is one; renderings in the DB
$wgMainCacheType = {main_cache};
$wgParserCacheType = CACHE_DB;
$wgSessionCacheType = CACHE_DB;
$wgEnableSidebarCache = true;
# the file cache would serve anonymous views without PHP: off, as wikicoop has no proxy
$wgUseFileCache = false;
# jobs run at preparation (runJobs.php), not during page views
$wgJobRunRate = 0;
"""


def _xml_page(title: str, wikitext: str, timestamp: str) -> str:
    return (
        "  <page>\n"
        f"    <title>{escape(title)}</title>\n"
        "    <revision>\n"
        f"      <timestamp>{timestamp}</timestamp>\n"
        "      <contributor><username>Bench</username></contributor>\n"
        "      <comment>bench import</comment>\n"
        "      <model>wikitext</model>\n"
        "      <format>text/x-wiki</format>\n"
        f'      <text xml:space="preserve">{escape(wikitext)}</text>\n'
        "    </revision>\n"
        "  </page>\n"
    )


def write_dump(path: Path, pages: Mapping[str, str]) -> None:
    """A MediaWiki XML export of ``pages`` (wikicoop title -> Markdown) as wikitext."""
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11"'
            ' xml:lang="fr">\n'
        )
        # now: recent changes keep the last 90 days
        timestamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        for title, text in pages.items():
            out.write(_xml_page(_NOT_XML.sub("", mw_title(title)), to_wikitext(text), timestamp))
        out.write("</mediawiki>\n")


def prepare(folder: Path, pages: Mapping[str, str]) -> None:
    """Build (once) a MediaWiki in ``folder`` holding ``pages`` (title -> page text in
    Markdown, as wikicoop stores it).

    Idempotent: when ``folder`` already holds a wiki prepared with the same titles (its
    marker file holds their count and a hash), nothing is done; otherwise what an
    earlier preparation wrote is removed and the wiki is installed anew: install.php
    (SQLite), the settings appended, interwiki prefixes removed (wikicoop has none: a
    « Wikipedia:X » title stays a page), the pages imported by importDump.php, then
    recent changes, statistics, jobs and the localisation cache built.
    """
    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / READY
    if marker.exists() and marker.read_text() == _marker(pages):
        return
    for name in OWN:
        path = folder / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    for name in ("data", "cache", "images", "tmp", "logs", "run"):
        (folder / name).mkdir()
    settings = folder / "LocalSettings.php"
    _maintenance(
        folder,
        "install.php",
        "--dbtype=sqlite",
        f"--dbpath={folder / 'data'}",
        "--dbname=wiki",
        "--server=http://127.0.0.1",
        "--scriptpath=",
        "--lang=fr",
        "--skins=Vector",
        f"--pass={ADMIN_PASSWORD}",
        f"--confpath={folder}",
        SITENAME,
        ADMIN,
    )
    with settings.open("a", encoding="utf-8") as out:
        out.write(_settings(folder))
    with sqlite3.connect(folder / "data" / "wiki.sqlite") as db:
        db.execute("DELETE FROM interwiki")
    db.close()
    dump = folder / "pages.xml"
    write_dump(dump, pages)
    _maintenance(folder, "importDump.php", "--no-local-users", str(dump))
    dump.unlink()
    _maintenance(folder, "rebuildrecentchanges.php")
    _maintenance(folder, "initSiteStats.php", "--update")
    _maintenance(folder, "runJobs.php", "--memory-limit=max", "--quiet")
    _maintenance(folder, "rebuildLocalisationCache.php", "--lang=fr,en")
    marker.write_text(_marker(pages))


# ----------------------------------------------------------------------- serving


def _socket(folder: Path) -> Path:
    """PHP-FPM's socket: in the folder, or in the temporary folder when the folder's path
    is too long for a Unix socket (108 bytes)."""
    path = folder.resolve() / "run" / "php-fpm.sock"
    if len(str(path).encode()) < 100:
        return path
    digest = blake2b(str(folder.resolve()).encode(), digest_size=8).hexdigest()
    return Path(tempfile.gettempdir()) / f"peer-mediawiki-{digest}.sock"


def _fpm_conf(folder: Path) -> str:
    root = os.geteuid() == 0
    user = "user = root\ngroup = root\n" if root else ""
    return f"""; written by bench/peer_mediawiki.py
[global]
pid = {folder}/run/php-fpm.pid
error_log = {folder}/logs/php-fpm.log
daemonize = no

[mediawiki]
{user}listen = {_socket(folder)}
listen.backlog = 511
; two workers, always there, as wikicoop's two gunicorn workers
pm = static
pm.max_children = 2
clear_env = yes
env[MW_CONFIG_FILE] = {folder}/LocalSettings.php
env[TMPDIR] = {folder}/tmp
env[PATH] = /usr/local/bin:/usr/bin:/bin
catch_workers_output = yes
php_admin_flag[log_errors] = on
php_admin_value[error_log] = {folder}/logs/php-errors.log
"""


def _nginx_conf(folder: Path, port: int) -> str:
    user = "user root root;\n" if os.geteuid() == 0 else ""
    fastcgi = f"""
            fastcgi_pass unix:{_socket(folder)};
            fastcgi_param QUERY_STRING $query_string;
            fastcgi_param REQUEST_METHOD $request_method;
            fastcgi_param CONTENT_TYPE $content_type;
            fastcgi_param CONTENT_LENGTH $content_length;
            fastcgi_param REQUEST_URI $request_uri;
            fastcgi_param DOCUMENT_URI $document_uri;
            fastcgi_param DOCUMENT_ROOT $document_root;
            fastcgi_param SERVER_PROTOCOL $server_protocol;
            fastcgi_param REQUEST_SCHEME $scheme;
            fastcgi_param HTTPS $https if_not_empty;
            fastcgi_param GATEWAY_INTERFACE CGI/1.1;
            fastcgi_param SERVER_SOFTWARE nginx/$nginx_version;
            fastcgi_param REMOTE_ADDR $remote_addr;
            fastcgi_param REMOTE_PORT $remote_port;
            fastcgi_param SERVER_ADDR $server_addr;
            fastcgi_param SERVER_PORT $server_port;
            fastcgi_param SERVER_NAME $server_name;
            fastcgi_param REDIRECT_STATUS 200;"""
    return f"""# written by bench/peer_mediawiki.py: MediaWiki's code read only, all else here
{user}worker_processes 1;
daemon off;
pid {folder}/run/nginx.pid;
error_log {folder}/logs/nginx-error.log warn;
events {{
    worker_connections 1024;
}}
http {{
    types {{
        text/html html;
        text/css css;
        application/javascript js;
        application/json json;
        image/png png;
        image/jpeg jpg jpeg;
        image/gif gif;
        image/svg+xml svg;
        image/x-icon ico;
        font/woff2 woff2;
        font/woff woff;
    }}
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    keepalive_requests 100000;
    client_body_temp_path {folder}/tmp/nginx-body;
    fastcgi_temp_path {folder}/tmp/nginx-fastcgi;
    proxy_temp_path {folder}/tmp/nginx-proxy;
    uwsgi_temp_path {folder}/tmp/nginx-uwsgi;
    scgi_temp_path {folder}/tmp/nginx-scgi;
    fastcgi_buffer_size 32k;
    fastcgi_buffers 16 16k;
    server {{
        listen 127.0.0.1:{port};
        server_name 127.0.0.1;
        root {MEDIAWIKI};
        index index.php;
        # pages: /wiki/Title, read by MediaWiki from REQUEST_URI ($wgArticlePath)
        location /wiki/ {{
            fastcgi_param SCRIPT_FILENAME {MEDIAWIKI}/index.php;
            fastcgi_param SCRIPT_NAME /index.php;{fastcgi}
        }}
        location = / {{
            return 301 /wiki/;
        }}
        # the entry points only
        location ~ ^/(index|load|api|rest|opensearch_desc)\\.php(/|$) {{
            fastcgi_split_path_info ^(.+?\\.php)(/.*)$;
            fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
            fastcgi_param SCRIPT_NAME $fastcgi_script_name;
            fastcgi_param PATH_INFO $fastcgi_path_info;{fastcgi}
        }}
        location ~ \\.php {{
            return 404;
        }}
        location ~ ^/(resources|skins|extensions)/ {{
            expires 1d;
        }}
        location / {{
            return 404;
        }}
    }}
}}
"""


def _serve_script(folder: Path) -> str:
    root = os.geteuid() == 0
    # PHP-FPM's master calls setsid(): the caller's signal to the process group misses it,
    # so the script stops it, and, should the script be killed outright, the kernel does
    # (setpriv's parent-death signal)
    setpriv = shutil.which("setpriv")
    fpm = [setpriv, "--pdeathsig", "TERM"] if setpriv else []
    fpm += [_php_fpm() or "php-fpm", "-F", *(["-R"] if root else [])]
    fpm += ["-y", f"{folder}/php-fpm.conf", "-p", str(folder)]
    nginx = [_nginx() or "nginx", "-p", str(folder), "-c", f"{folder}/nginx.conf"]
    nginx += ["-e", f"{folder}/logs/nginx-error.log"]
    socket = _socket(folder)
    return f"""#!/bin/bash
# written by bench/peer_mediawiki.py: PHP-FPM, then nginx once PHP-FPM listens (a view
# never meets a 502), both in the foreground; stopped together on TERM, INT or HUP, or
# when either exits
set -u
rm -f {quote_sh(socket)}
{" ".join(quote_sh(a) for a in fpm)} &
fpm=$!
web=
stop() {{
    trap - TERM INT HUP
    kill -TERM $fpm $web 2>/dev/null
    wait
    exit "$1"
}}
trap 'stop 0' TERM INT HUP
until [ -S {quote_sh(socket)} ]; do
    kill -0 $fpm 2>/dev/null || stop 1
    sleep 0.005
done
{" ".join(quote_sh(a) for a in nginx)} &
web=$!
wait -n
stop 1
"""


def quote_sh(value: str | Path) -> str:
    """``value`` as one word of a shell command."""
    return shlex.quote(str(value))


def server(folder: Path, port: int) -> tuple[list[str], dict[str, str]]:
    """The command (and environment) that serves the wiki on 127.0.0.1:``port`` in the
    foreground with two PHP worker processes, until its process group gets SIGTERM.

    The command is ``bash serve.sh`` (written here with the port's nginx.conf): it runs
    PHP-FPM (``-F``, ``pm = static``, two workers) and, once PHP-FPM's socket exists,
    nginx (``daemon off``); it stops both when it gets TERM, INT or HUP, or when either
    exits. nginx stays in the caller's process group and gets its SIGTERM; PHP-FPM's
    master leaves it (it calls setsid()), so the script's trap stops it, or, should the
    script be killed outright, the parent-death signal ``setpriv`` gives it.
    """
    folder = folder.resolve()
    (folder / "run").mkdir(exist_ok=True)
    (folder / "tmp").mkdir(exist_ok=True)
    (folder / "logs").mkdir(exist_ok=True)
    (folder / "php-fpm.conf").write_text(_fpm_conf(folder), encoding="utf-8")
    (folder / "nginx.conf").write_text(_nginx_conf(folder, port), encoding="utf-8")
    script = folder / "serve.sh"
    script.write_text(_serve_script(folder), encoding="utf-8")
    return [shutil.which("bash") or "/bin/bash", str(script)], _environment(folder)


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            found += children
            todo += children
    return found


def worker_pids(process_pid: int) -> list[int]:
    """The two PHP-FPM workers (« php-fpm: pool mediawiki »), found among the
    descendants of the command started by :func:`server`: not nginx, not PHP-FPM's
    master."""
    workers = []
    for pid in _descendants(process_pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if command.startswith(b"php-fpm: pool "):
            workers.append(pid)
    return sorted(workers)


# ----------------------------------------------------------------------- by hand


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--port", type=int, default=5070)
    args = parser.parse_args(argv)
    reason = missing()
    if reason:
        print(reason)
        return 2
    pages = sample_pages(args.pages)
    started = time.perf_counter()
    prepare(args.folder, pages)
    print(f"prepared {len(pages)} pages in {time.perf_counter() - started:.1f} s")
    command, env = server(args.folder, args.port)
    title = next(t for t in pages if ":" not in t)
    address = f"http://127.0.0.1:{args.port}{page_path(title)}"
    print(f"MediaWiki {version()}: {address} (Ctrl+C stops it)", flush=True)
    try:
        return subprocess.run(command, env=env, check=False).returncode
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
