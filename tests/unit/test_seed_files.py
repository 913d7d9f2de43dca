"""Checks on the seed pages in pages_seed/*.md.

The app's loader lives elsewhere; this test parses the files itself with a tiny,
strict front-matter parser, so a file that this parser rejects is a file that the
loader should not have to guess about.

Format of a seed file::

    ---
    title: Aide:Écrire une page
    licence: CC-BY-SA-4.0
    summary: Page d'aide initiale
    ---
    (Markdown body)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from wikicoop.text.licences import LICENCES, relicense_targets

pytestmark = pytest.mark.any_database

ROOT = Path(__file__).resolve().parents[2]
SEED_DIR = ROOT / "pages_seed"
STATIC_DIR = ROOT / "wikicoop" / "web" / "static"
CONTEXT_TEXT = ROOT.parent / "shared" / "context" / "territoires-et-cooperations.txt"

CATEGORY_PREFIX = "Catégorie:"
NAMESPACES = {"Aide", "Portail", "Catégorie"}
ALLOWED_KEYS = {"title", "licence", "summary"}
REQUIRED_KEYS = {"title", "licence"}
FORBIDDEN_TITLE_CHARS = set("[]{}<>|")

# Links that are red on purpose: each one is an example in a help page.
RED_LINK_ALLOWLIST = {
    "Fête de quartier",  # Aide:Créer des liens shows what a red link looks like
    "Utilisateur:Exemple",  # Aide:Discussion shows a signature
}

FACETTES = [
    "Portail:Faire avec",
    "Portail:Être en attention",
    "Portail:Donner à voir",
    "Portail:Mettre en communs",
    "Portail:Outiller",
    "Portail:Relier",
]
EXPECTED_TITLES = {
    "Accueil",
    "Bac à sable",
    "Aide:Sommaire",
    "Aide:Écrire une page",
    "Aide:Créer des liens",
    "Aide:Titres et sections",
    "Aide:Listes et tableaux",
    "Aide:Images",
    "Aide:Historique des versions",
    "Aide:Licences",
    "Aide:Discussion",
    "Aide:Titres de pages",
    *FACETTES,
    "Portail:Coopérer et innover",
    "Catégorie:Aide",
    "Catégorie:Facettes",
}


# --- a tiny, strict parser -------------------------------------------------------


class FrontMatterError(ValueError):
    """A seed file does not follow the format."""


_KEY_LINE = re.compile(r"([a-z]+): (\S(?:.*\S)?)")
# Characters that would make a YAML loader read the value differently.
_YAML_UNSAFE_START = tuple("'\"[]{}&*!|>%@`#,?-")


def parse_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split a seed file into its front matter and its body.

    Raises:
        FrontMatterError: on anything but the exact format above.
    """
    lines = text.split("\n")
    if not lines or lines[0] != "---":
        raise FrontMatterError("the file must start with a line '---'")
    try:
        end = lines.index("---", 1)
    except ValueError:
        raise FrontMatterError("the front matter is not closed by a line '---'") from None
    meta: dict[str, str] = {}
    for number, line in enumerate(lines[1:end], start=2):
        match = _KEY_LINE.fullmatch(line)
        if match is None:
            raise FrontMatterError(f"line {number}: expected 'key: value', got {line!r}")
        key, value = match.groups()
        if key not in ALLOWED_KEYS:
            raise FrontMatterError(f"line {number}: unknown key {key!r}")
        if key in meta:
            raise FrontMatterError(f"line {number}: duplicate key {key!r}")
        if value.startswith(_YAML_UNSAFE_START) or ": " in value or " #" in value:
            raise FrontMatterError(f"line {number}: value {value!r} is not a plain scalar")
        meta[key] = value
    missing = REQUIRED_KEYS - meta.keys()
    if missing:
        raise FrontMatterError(f"missing key(s): {', '.join(sorted(missing))}")
    return meta, "\n".join(lines[end + 1 :])


_FENCE_OPEN = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")


def split_code(body: str) -> tuple[str, list[str]]:
    """Return the body with fenced code blocks and code spans blanked, and the blocks.

    Raises:
        FrontMatterError: if a fenced block is never closed.
    """
    prose: list[str] = []
    blocks: list[str] = []
    fence: str | None = None
    current: list[str] = []
    for line in body.split("\n"):
        if fence is None:
            match = _FENCE_OPEN.fullmatch(line)
            if match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
                fence = match.group(1)
                current = []
                prose.append("")
            else:
                prose.append(line)
        else:
            stripped = line.strip()
            if stripped.startswith(fence) and set(stripped) == {fence[0]}:
                blocks.append("\n".join(current))
                fence = None
            else:
                current.append(line)
            prose.append("")
    if fence is not None:
        raise FrontMatterError("a fenced code block is never closed")
    text = "\n".join(prose)
    text = re.sub(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", "", text)
    return text, blocks


_WIKILINK = re.compile(r"\[\[([^\[\]\n]+)\]\]")


@dataclass(frozen=True)
class WikiLink:
    target: str  # normalised title ("" for a link to a section of the same page)
    section: str | None
    label: str | None
    membership: bool  # [[Catégorie:X]]: puts the page in a category, shows no link


def parse_wikilink(inner: str) -> WikiLink:
    """Parse the inside of ``[[...]]``; titles get "_" turned into spaces."""
    target, _, label = inner.partition("|")
    colon = target.startswith(":")
    if colon:
        target = target[1:]
    target, hash_, section = target.partition("#")
    target = target.replace("_", " ").strip()
    return WikiLink(
        target=target,
        section=section.strip() if hash_ else None,
        label=label or None,
        membership=not colon and target.startswith(CATEGORY_PREFIX),
    )


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")


@dataclass
class SeedPage:
    path: Path
    meta: dict[str, str]
    body: str
    prose: str = ""
    code_blocks: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.meta["title"]

    @property
    def links(self) -> list[WikiLink]:
        return [parse_wikilink(m.group(1)) for m in _WIKILINK.finditer(self.prose)]

    @property
    def categories(self) -> list[str]:
        return [link.target for link in self.links if link.membership]

    @property
    def headings(self) -> list[str]:
        return [
            m.group(2) for m in re.finditer(r"^(#{1,6}) +(.+?) *$", self.prose, flags=re.MULTILINE)
        ]


def load_page(path: Path) -> SeedPage:
    meta, body = parse_front_matter(path.read_bytes().decode("utf-8"))
    prose, blocks = split_code(body)
    return SeedPage(path=path, meta=meta, body=body, prose=prose, code_blocks=blocks)


SEED_PATHS = sorted(SEED_DIR.glob("*.md"))
PAGES = {path.name: load_page(path) for path in SEED_PATHS}
BY_TITLE = {page.title.replace("_", " "): page for page in PAGES.values()}


def by_name(name: str) -> SeedPage:
    return PAGES[name]


def pages_in(namespace: str) -> list[SeedPage]:
    return [page for page in PAGES.values() if page.title.startswith(f"{namespace}:")]


each_file = pytest.mark.parametrize("name", [path.name for path in SEED_PATHS])


# --- the parser itself -----------------------------------------------------------


def test_parser_accepts_the_documented_format():
    meta, body = parse_front_matter(
        "---\ntitle: Aide:Écrire une page\nlicence: CC-BY-SA-4.0\n"
        "summary: Page d'aide initiale\n---\nBonjour\n"
    )
    assert meta == {
        "title": "Aide:Écrire une page",
        "licence": "CC-BY-SA-4.0",
        "summary": "Page d'aide initiale",
    }
    assert body == "Bonjour\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title: A\nlicence: CC0-1.0\n---\nx", "start with"),
        ("\n---\ntitle: A\nlicence: CC0-1.0\n---\nx", "start with"),
        ("---\ntitle: A\nlicence: CC0-1.0\nx", "not closed"),
        ("---\ntitle: A\nlicence: CC0-1.0\nauthor: B\n---\nx", "unknown key"),
        ("---\ntitle: A\ntitle: B\nlicence: CC0-1.0\n---\nx", "duplicate"),
        ("---\ntitle: A\n---\nx", "missing key"),
        ("---\ntitle:A\nlicence: CC0-1.0\n---\nx", "expected 'key: value'"),
        ("---\ntitle: A \nlicence: CC0-1.0\n---\nx", "expected 'key: value'"),
        ("---\ntitle: 'A'\nlicence: CC0-1.0\n---\nx", "plain scalar"),
        ("---\ntitle: A: B\nlicence: CC0-1.0\n---\nx", "plain scalar"),
    ],
)
def test_parser_rejects_malformed_front_matter(text, message):
    with pytest.raises(FrontMatterError, match=re.escape(message)):
        parse_front_matter(text)


def test_split_code_blanks_fences_and_spans():
    prose, blocks = split_code(
        "a [[Un]]\n```\n[[Deux]]\n```\n~~~~\n```\n[[Trois]]\n~~~~\nb `[[Quatre]]` [[Cinq]]"
    )
    assert _WIKILINK.findall(prose) == ["Un", "Cinq"]
    assert blocks == ["[[Deux]]", "```\n[[Trois]]"]


def test_split_code_rejects_unclosed_fence():
    with pytest.raises(FrontMatterError):
        split_code("```\nnever closed")


@pytest.mark.parametrize(
    ("inner", "expected"),
    [
        ("Accueil", WikiLink("Accueil", None, None, False)),
        ("Bac_à_sable|ici", WikiLink("Bac à sable", None, "ici", False)),
        ("Aide:Licences#La licence|x", WikiLink("Aide:Licences", "La licence", "x", False)),
        ("Catégorie:Aide", WikiLink("Catégorie:Aide", None, None, True)),
        (":Catégorie:Aide|toutes", WikiLink("Catégorie:Aide", None, "toutes", False)),
        ("#Section", WikiLink("", "Section", None, False)),
    ],
)
def test_parse_wikilink(inner, expected):
    assert parse_wikilink(inner) == expected


def test_slugify():
    assert slugify("Aide:Écrire une page") == "aide-ecrire-une-page"
    assert slugify("Portail:Être en attention") == "portail-etre-en-attention"


# --- every file ------------------------------------------------------------------


def test_there_are_seed_files():
    assert len(SEED_PATHS) >= len(EXPECTED_TITLES)


def test_expected_pages_exist():
    assert BY_TITLE.keys() >= EXPECTED_TITLES


def test_titles_are_unique():
    titles = [page.title.replace("_", " ") for page in PAGES.values()]
    assert len(titles) == len(set(titles))


@each_file
def test_file_name_is_an_ascii_slug_of_the_title(name):
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*\.md", name)
    assert name == f"{slugify(by_name(name).title)}.md"


@each_file
def test_file_is_clean_utf8(name):
    data = (SEED_DIR / name).read_bytes()
    text = data.decode("utf-8")  # strict: raises on invalid UTF-8
    assert not text.startswith("\ufeff"), "no byte order mark"
    assert "\r" not in text, "Unix line endings"
    assert "\t" not in text, "no tabs"
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert unicodedata.is_normalized("NFC", text), "accents must be composed (NFC)"
    for number, line in enumerate(text.split("\n"), start=1):
        assert line == line.rstrip(), f"trailing whitespace on line {number}"


@each_file
def test_front_matter(name):
    page = by_name(name)
    assert page.meta["licence"] in LICENCES
    if "summary" in page.meta:
        assert page.meta["summary"].strip()


@each_file
def test_title_follows_the_title_rules(name):
    title = by_name(name).title
    assert title == title.strip()
    assert "  " not in title
    assert "_" not in title, "write titles with spaces"
    assert not FORBIDDEN_TITLE_CHARS & set(title)
    assert len(title.encode("utf-8")) <= 255
    namespace, colon, rest = title.rpartition(":")
    if colon:
        assert namespace in NAMESPACES, f"unknown namespace in {title!r}"
    assert rest[:1].isupper(), "the first letter is a capital"


@each_file
def test_body_is_not_empty(name):
    assert by_name(name).body.strip()


@each_file
def test_body_has_no_raw_html(name):
    body = by_name(name).body
    assert not re.search(r"<[A-Za-z!/?]", body), "no raw HTML tags, comments or autolinks"
    assert not re.search(r"&[A-Za-z]+;|&#", body), "no HTML entities"


@each_file
def test_wiki_links_point_at_seed_pages(name):
    page = by_name(name)
    for link in page.links:
        if link.membership:
            continue
        if not link.target:
            assert link.section in page.headings, f"no section {link.section!r} here"
            continue
        if link.target in RED_LINK_ALLOWLIST:
            continue
        assert link.target in BY_TITLE, f"{page.title} links to missing page {link.target!r}"
        if link.section is not None:
            target = BY_TITLE[link.target]
            assert link.section in target.headings, (
                f"{page.title} links to missing section {link.target}#{link.section}"
            )


def test_red_link_allowlist_is_used_and_still_red():
    targets = {link.target for page in PAGES.values() for link in page.links}
    assert targets >= RED_LINK_ALLOWLIST
    assert not RED_LINK_ALLOWLIST & BY_TITLE.keys()


@each_file
def test_categories_exist_and_come_last(name):
    page = by_name(name)
    for category in page.categories:
        assert category in BY_TITLE, f"no page for {category!r}"
    lines = [line for line in page.prose.split("\n") if line.strip()]
    first = next(
        (i for i, line in enumerate(lines) if re.search(r"\[\[Catégorie:", line)), len(lines)
    )
    for line in lines[first:]:
        assert re.fullmatch(r"\[\[Catégorie:[^\[\]|#]+\]\]", line), (
            f"only one category link per line, at the end of the page: {line!r}"
        )
    assert len(page.categories) == len(set(page.categories))
    if page.title.startswith(CATEGORY_PREFIX):
        assert len(page.categories) <= 2
    else:
        assert 1 <= len(page.categories) <= 2, "end each page with one or two categories"


@each_file
def test_images_are_described_and_shipped(name):
    for alt, url in re.findall(r"!\[([^\]]*)\]\(([^)\s]+)\)", by_name(name).prose):
        assert alt.strip(), f"image {url} needs a description"
        assert url.startswith("/static/"), f"image {url} should be shipped with the wiki"
        assert (STATIC_DIR / url.removeprefix("/static/")).is_file(), url


@each_file
def test_external_links_use_https(name):
    for url in re.findall(r"\]\(([a-z]+:[^)\s]*)\)", by_name(name).prose):
        assert url.startswith("https://"), url


# --- page families -----------------------------------------------------------------


def test_home_page_links_to_the_help_the_sandbox_and_every_facette():
    targets = {link.target for link in BY_TITLE["Accueil"].links}
    assert {"Aide:Sommaire", "Bac à sable", "Aide:Licences", *FACETTES} <= targets
    assert "Portail:Coopérer et innover" in targets


def test_help_index_links_to_every_help_page():
    targets = {link.target for link in BY_TITLE["Aide:Sommaire"].links}
    others = {page.title for page in pages_in("Aide")} - {"Aide:Sommaire"}
    assert others <= targets


def test_sandbox_has_a_task_list_of_exercises():
    tasks = re.findall(r"^- \[( |x)\] ", BY_TITLE["Bac à sable"].prose, flags=re.MULTILINE)
    assert len(tasks) >= 5
    assert " " in tasks


@pytest.mark.parametrize("title", sorted(page.title for page in pages_in("Aide")))
def test_help_page_shows_markup_result_and_see_also(title):
    page = BY_TITLE[title]
    assert page.code_blocks, "show the markup in a fenced code block"
    assert re.search(r"^> ", page.prose, flags=re.MULTILINE), "show the result"
    assert page.headings[-1] == "Voir aussi"
    see_also = page.prose.split("## Voir aussi", 1)[1]
    assert any(not link.membership for link in map(parse_wikilink, _WIKILINK.findall(see_also)))
    assert "Catégorie:Aide" in page.categories


@pytest.mark.parametrize("title", sorted(page.title for page in pages_in("Portail")))
def test_portal_explains_and_links_to_help_and_facettes(title):
    page = BY_TITLE[title]
    intro = page.prose.split("\n## ", 1)[0]
    paragraphs = [block for block in re.split(r"\n\s*\n", intro) if block.strip()]
    assert 3 <= len(paragraphs) <= 6
    targets = {link.target for link in page.links}
    assert any(target.startswith("Aide:") for target in targets)
    assert any(t.startswith("Portail:") and t != title for t in targets)
    assert "Catégorie:Facettes" in page.categories


def test_coopérer_et_innover_ties_the_six_facettes_together():
    targets = {link.target for link in BY_TITLE["Portail:Coopérer et innover"].links}
    assert set(FACETTES) <= targets


@pytest.mark.parametrize("title", sorted(page.title for page in pages_in("Catégorie")))
def test_category_page_has_a_description(title):
    paragraphs = [p for p in re.split(r"\n\s*\n", BY_TITLE[title].prose) if p.strip()]
    assert paragraphs
    assert len(paragraphs[0]) > 40


def test_licence_help_page_agrees_with_the_licences_module():
    page = BY_TITLE["Aide:Licences"]
    for licence in LICENCES.values():
        assert licence.short_name in page.prose
        assert licence.deed_url in page.prose
        assert licence.badge_path in page.prose
    rows = re.findall(r"^\| (CC[^|]*?) \| ([^|]*?) \|$", page.prose, flags=re.MULTILINE)
    table = dict(rows)
    short_names = sorted((lic.short_name for lic in LICENCES.values()), key=len, reverse=True)
    assert set(table) == {lic.short_name for lic in LICENCES.values()}
    for licence in LICENCES.values():
        cell = table[licence.short_name]
        named = set()
        for short_name in short_names:
            if short_name in cell:
                named.add(short_name)
                cell = cell.replace(short_name, "")
        expected = {t.short_name for t in relicense_targets(licence)} - {licence.short_name}
        assert named == expected, licence.short_name


# --- written afresh ----------------------------------------------------------------


def _words(text: str) -> list[str]:
    return re.findall(r"[a-zà-öø-ÿœ0-9]+", text.casefold().replace("’", "'"))


@pytest.mark.skipif(not CONTEXT_TEXT.is_file(), reason="../shared/context is not present")
def test_seed_pages_do_not_copy_the_context_text():
    words = _words(CONTEXT_TEXT.read_text(encoding="utf-8"))
    size = 8
    source = {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}
    for page in PAGES.values():
        mine = _words(page.body)
        for i in range(len(mine) - size + 1):
            run = tuple(mine[i : i + size])
            assert run not in source, f"{page.title} repeats the source: {' '.join(run)}"
