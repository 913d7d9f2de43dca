"""MediaWiki wikitext -> this wiki's Markdown (``wikicoop.text.mediawiki``): each habit
converted, Markdown left alone (the seed pages go through unchanged), habits found
without false alarms, and real MediaWiki exports converted without losing a word."""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from wikicoop.rendering import render_text
from wikicoop.seed import parse_seed_file
from wikicoop.text.mediawiki import (
    HABITS,
    MAX_CONVERT_STRUCTURES,
    convert_mediawiki,
    is_too_complex,
    mediawiki_habits,
)

pytestmark = pytest.mark.any_database

ROOT = Path(__file__).resolve().parents[2]
EXPORTS = ROOT.parent / "shared" / "testdata" / "mediawiki-export"
SEED_FILES = sorted([*ROOT.glob("pages_seed/*.md"), *ROOT.glob("plugins/*/seed/*.md")])


def convert(text: str) -> str:
    return convert_mediawiki(text).strip("\n")


# ----------------------------------------------------------------------- conversions


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("== Titre ==", "## Titre"),
        ("=Un=", "# Un"),
        ("=== Sous-titre ===", "### Sous-titre"),
        ("Du '''gras''' ici", "Du **gras** ici"),
        ("De l'''italique''", "De l'*italique*"),
        ("Du ''italique'' ici", "Du *italique* ici"),
        ("'''''les deux'''''", "***les deux***"),
        ("Un ''' gras ''' espacé", "Un  **gras**  espacé"),
        ("* un\n* deux", "- un\n- deux"),
        ("* un\n** sous\n* deux", "- un\n  - sous\n- deux"),
        ("# un\n# deux", "1. un\n1. deux"),
        ("# un\n## sous\n#* puce", "1. un\n   1. sous\n   - puce"),
        (": réponse\n:: réponse à la réponse", "> réponse\n> > réponse à la réponse"),
        ("; Terme : définition", "**Terme** : définition"),
        ("[https://example.org le site]", "[le site](https://example.org)"),
        ("[https://example.org]", "<https://example.org>"),
        ("Voir https://example.org tel quel", "Voir https://example.org tel quel"),
        ("[https://example.org/a_(b) lien]", "[lien](<https://example.org/a_(b)>)"),
        ("[[Accueil]]", "[[Accueil]]"),
        ("[[Accueil|la page d'accueil]]", "[[Accueil|la page d'accueil]]"),
        ("des [[chat]]s", "des [[chat|chats]]"),
        ("[[Page|'''gras''']]", "[[Page|gras]]"),
        ("[[Category:Lieux]]", "[[Catégorie:Lieux]]"),
        ("[[Catégorie:Lieux]]", "[[Catégorie:Lieux]]"),
        ("[[:Category:Lieux]]", "[[:Catégorie:Lieux]]"),
        (
            "[[File:Plan.png|thumb|right|Le plan [[Jardin|du jardin]]]]",
            "[[Fichier:Plan.png|vignette|droite|Le plan du jardin]]",
        ),
        ("[[Image:A.jpg|left|200px|frameless]]", "[[Fichier:A.jpg|gauche|200px]]"),
        ("[[Fichier:A.jpg|vignette|centre|Légende]]", "[[Fichier:A.jpg|vignette|centre|Légende]]"),
        ("{{Modèle|a=b}}", "`{{Modèle|a=b}}`"),
        ("{{:Accueil}}", "{{:Accueil}}"),
        ('{{pages espace="Aide"}}', '{{pages espace="Aide"}}'),
        ("a<br>b", "a\\\nb"),
        ("a<br />\nb", "a\\\nb"),
        ("<nowiki>[[pas un lien]]</nowiki>", "`[[pas un lien]]`"),
        ("''avant''\n----\naprès", "*avant*\n\n---\naprès"),
        ("__NOTOC__\nTexte", "Texte"),
        ("Texte <!-- note cachée --> suite", "Texte  suite"),
        ("Texte<!-- fin -->", "Texte"),
        ("<s>barré</s> <u>souligné</u>", "~~barré~~ souligné"),
        ("<code>x = 1</code>", "`x = 1`"),
        ("Signé ~~~~", "Signé ~~~~"),
        ("&nbsp;et &eacute;", "&nbsp;et &eacute;"),
    ],
)
def test_conversions(source: str, expected: str) -> None:
    assert convert(source) == expected


def test_a_list_is_followed_by_a_blank_line_before_a_paragraph() -> None:
    # Markdown would carry "Après" into the last item (a lazy continuation line)
    assert convert("* un\n* deux\nAprès la liste") == "- un\n- deux\n\nAprès la liste"
    assert convert("* un<br>suite\n* deux") == "- un\\\nsuite\n- deux"


def test_references_become_footnotes() -> None:
    text = (
        'La poire<ref name="p">Un fruit.</ref> et la pomme<ref>Un autre.</ref>, '
        'encore la poire<ref name="p" />.\n\n<references />'
    )
    assert convert(text) == (
        "La poire[^1] et la pomme[^2], encore la poire[^1].\n\n[^1]: Un fruit.\n[^2]: Un autre."
    )
    html = render_text(convert_mediawiki(text)).html
    assert 'class="footnotes"' in html and "Un fruit." in html


def test_simple_table_becomes_a_pipe_table() -> None:
    text = (
        '{| class="wikitable"\n|+ Horaires\n! Jour !! Heure\n|-\n'
        "| Lundi || [[Salle|la salle]] 9 h\n|-\n! Mardi\n| 10 h\n|}"
    )
    assert convert(text) == (
        "**Horaires**\n\n| Jour | Heure |\n| --- | --- |\n"
        "| Lundi | [[Salle|la salle]] 9 h |\n| **Mardi** | 10 h |"
    )
    assert "<table>" in render_text(convert_mediawiki(text)).html


def test_table_without_header_gets_an_empty_one() -> None:
    assert convert("{|\n| a || b\n|-\n| c | d\n|}").startswith("|  |  |\n| --- | --- |\n| a | b |")


def test_complex_table_is_kept_in_a_code_block() -> None:
    text = '{|\n| rowspan="2" | a\n| b\n|-\n| c\n|}'
    assert convert(text) == "```\n" + text + "\n```"


def test_multiline_template_is_kept_in_a_code_block() -> None:
    text = "{{Infobox\n| nom = Jardin\n}}\nLe jardin."
    assert convert(text) == "```\n{{Infobox\n| nom = Jardin\n}}\n```\nLe jardin."


def test_pre_and_syntaxhighlight_become_code_blocks() -> None:
    assert convert("<pre>\n'''x'''\n</pre>") == "```\n'''x'''\n```"
    source = '<syntaxhighlight lang="python">\nprint(1)\n</syntaxhighlight>'
    assert convert(source) == "```python\nprint(1)\n```"


def test_gallery_becomes_thumbnails() -> None:
    assert convert("<gallery>\nA.jpg|Un\nFile:B.jpg\n</gallery>") == (
        "[[Fichier:A.jpg|vignette|Un]]\n\n[[Fichier:B.jpg|vignette]]"
    )


def test_text_not_understood_stays() -> None:
    assert convert('<span style="color:red">rouge</span> <foo>bar</foo>') == (
        "rouge <foo>bar</foo>"
    )
    assert convert("{{{paramètre|défaut}}}") == "{{{paramètre|défaut}}}"
    assert convert("''' pas fermé") == "''' pas fermé"


def test_empty_and_blank_text() -> None:
    assert convert_mediawiki("") == ""
    assert convert_mediawiki("  \n") == "  \n"


def test_placeholder_characters_in_the_text_survive() -> None:
    text = "Un \ue000 et \ue0011\ue001 restent '''là'''"
    assert convert(text) == "Un \ue000 et \ue0011\ue001 restent **là**"


# ----------------------------------------------------------------- Markdown unchanged


@pytest.mark.parametrize(
    "text",
    [
        "# Titre\n\nUn paragraphe.",
        "**gras** au début d'une ligne",
        "*italique* au début\net **gras\nsur deux lignes**",
        "***\n\nUne règle au-dessus",
        "Titre\n=====\n\nTexte",
        "Sous-titre\n----------\n\nTexte\n\n---\n\nFin",
        "Échappés : \\*pas en italique*, \\<br> et \\[pas un lien]",
        "- un\n\n      bar\n\n\n      baz",
        "Un [lien](https://example.org) et ![image](https://example.org/a.png)",
        "[https://example.org](https://example.org)",
        "`'''pas du gras'''` et\n\n```\n== pas un titre ==\n{{pas un modèle}}\n```",
        "~~~python\n# pas un titre\n~~~",
        "    {{code indenté}}\n    '''tel quel'''",
        "| a | b |\n|---|---|\n| [[P|q]] | 2 |",
        "- un\n  - deux\n1. trois",
        "> citation\n\n{{:Accueil}}",
    ],
)
def test_markdown_is_left_alone(text: str) -> None:
    assert convert(text) == text


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_seed_pages_render_the_same_after_conversion(path: Path) -> None:
    """Real Markdown (every help page of the wiki): no habit found, and converting it
    changes nothing a reader sees."""
    text = parse_seed_file(path).text
    assert mediawiki_habits(text) == []
    assert render_text(convert_mediawiki(text)).html == render_text(text).html


# -------------------------------------------------------------------------- habits


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Merci ~~~~", ["signature"]),
        ("Du '''gras'''", ["quotes"]),
        ("== Titre ==", ["heading"]),
        ("[https://example.org site]", ["external_link"]),
        ("{{Ébauche}}", ["template"]),
        ("{{Infobox\n| a = b\n}}", ["template"]),
        ("# un\n# deux", ["numbered_list"]),
        ("#* mélange", ["numbered_list"]),
        ("[[File:A.jpg|thumb]]", ["file_link"]),
        ("[[Fichier:A.jpg|vignette|upright]]", ["file_link"]),
        ("{|\n| a\n|}", ["table"]),
        ("== Recette ==\n# couper\n'''fin'''", ["quotes", "heading", "numbered_list"]),
    ],
)
def test_habits_found(text: str, codes: list[str]) -> None:
    assert mediawiki_habits(text) == codes
    assert set(codes) <= set(HABITS)


@pytest.mark.parametrize(
    "text",
    [
        "# Titre\n\nUn paragraphe avec **gras** et *italique*.",
        "# Titre\n## Sous-titre\n\nTexte",
        "## Section\n\nTexte\n\n## Autre section",
        "**gras**\n* puce\n1. un",
        "Aujourd'hui, l'été : « ''' » n'est qu'un signe",
        "[lien](https://example.org) [[Page]] [[Fichier:A.jpg|vignette|droite|Légende]]",
        '{{:Accueil}}\n\n{{pages espace="Aide"}}',
        "`~~~~` et `'''gras'''`\n\n```\n== titre ==\n{| table\n```",
        "    == code indenté ==",
        "~~barré~~ et ~~~~~~",
        "#hashtag en début de ligne",
    ],
)
def test_no_false_alarm_on_markdown(text: str) -> None:
    assert mediawiki_habits(text) == []


def test_a_signature_alone_does_not_make_a_heading_a_list() -> None:
    assert mediawiki_habits("# Compte rendu\n\nMerci ~~~~") == ["signature"]
    assert convert("# Compte rendu\n\nMerci ~~~~") == "# Compte rendu\n\nMerci ~~~~"


def test_a_heading_becomes_a_list_when_the_text_is_mediawiki() -> None:
    assert convert("'''Recette'''\n# couper\n# cuire") == "**Recette**\n1. couper\n1. cuire"
    # a lone "## Titre" far from any list stays a heading even then
    assert convert("''x''\n\n## Titre\n\ntexte") == "*x*\n\n## Titre\n\ntexte"


def test_habits_look_at_the_start_of_huge_texts_only() -> None:
    text = "a" * 300_000 + " '''gras'''"
    assert mediawiki_habits(text) == []


# --------------------------------------------------------- real MediaWiki exports


def _export_texts() -> list[tuple[str, str]]:
    texts = []
    for path in sorted(EXPORTS.glob("*.xml")):
        for element in ET.parse(path).getroot().iter():
            if element.tag.rsplit("}", 1)[-1] == "text" and (element.text or "").strip():
                texts.append((f"{path.name}#{len(texts)}", element.text or ""))
    return texts


@pytest.mark.skipif(
    not EXPORTS.is_dir(),
    reason=f"MediaWiki exports not found: {EXPORTS} (the ../shared folder is absent)",
)
def test_real_exports_lose_no_word_and_render() -> None:
    texts = _export_texts()
    assert len(texts) >= 10
    for name, source in texts:
        converted = convert_mediawiki(source)
        render_text(converted)  # no error
        # what is meant to go: comments, switches, the names of tags, references and
        # reference lists (notes are numbered here), the English prefix of categories
        kept = re.sub(
            r"<!--.*?-->|__[A-Z]+__|\{\{\s*reflist[^}]*\}\}", " ", source, flags=re.S | re.I
        )
        kept = re.sub(r"<ref\s+name\s*=\s*\"?[^\">/]*\"?\s*/?>", " ", kept, flags=re.I)
        kept = re.sub(r"</?[a-z]+[^>\n]*>", " ", kept)
        kept = re.sub(r"\[\[:?Category:", "[[", kept)
        missing = [w for w in set(re.findall(r"\w+", kept)) if w not in converted]
        assert not missing, f"{name}: lost {sorted(missing)[:10]}"


@pytest.mark.skipif(not EXPORTS.is_dir(), reason=f"MediaWiki exports not found: {EXPORTS}")
def test_real_article_converts_its_habits_away() -> None:
    source = next(text for name, text in _export_texts() if name.startswith("article-pear-0.10"))
    converted = convert_mediawiki(source)
    assert "## Etymology" in converted
    assert "[[Fichier:Pyrus pyrifolia.jpg|vignette|droite|" in converted
    assert "[[Catégorie:" in converted
    # what is left is in code, on purpose: templates, complex tables
    assert set(mediawiki_habits(converted)) <= {"numbered_list"}


# ------------------------------------------------------------------ hostile texts


@pytest.mark.parametrize(
    "piece",
    [
        "{{a|", "[[a|", "<ref>", "<span x=\"1\">", "<!--", "{|\n", "[http://a ",
        "''a ", "` a", "~~~ x\n", "[a](b", "\n*a", "[[Fichier:a|",
    ],
)  # fmt: skip
def test_unclosed_constructs_stay_quick_and_kept(piece: str) -> None:
    """The parser backtracks on each unclosed construct (its time grows with their
    square): they are set aside first, and habits are found in linear time."""
    text = piece * (60_000 // len(piece))
    started = time.process_time()  # this process's CPU: other work on the machine aside
    converted = convert_mediawiki(text)
    mediawiki_habits(text)
    assert time.process_time() - started < 30  # a few seconds; unguarded: minutes
    assert "".join(converted.split()).replace("-", "") != ""  # something is kept
    for word in set(re.findall(r"\w+", text)):
        assert word in converted


def test_a_text_too_full_to_convert_comes_back_unchanged() -> None:
    text = "[[a]] " * (MAX_CONVERT_STRUCTURES + 1)
    assert is_too_complex(text)
    assert convert_mediawiki(text) == text
    assert not is_too_complex("[[a]] " * 10)


# ---------------------------------------------------------------- whole pages

WIKI_BREST_PAGE = """{{Ébauche}}
[[Image:Cyberbase.jpg|thumb|right|250px|La cyber-base de [[Bellevue]]]]
'''La cyber-base''' est un espace public numérique, à [[Brest]].

== Ateliers ==
# Découverte de l'ordinateur
#* niveau 1
# Retouche photo<ref>Avec [http://www.gimp.org GIMP].</ref>
Contact : <nowiki>cyberbase@exemple.fr</nowiki>

{| class="wikitable"
! Jour !! Animateur
|-
| Lundi || Yann
|}

== Références ==
<references />

[[Category:Bellevue]]
"""


def test_a_wiki_brest_page() -> None:
    assert convert_mediawiki(WIKI_BREST_PAGE) == (
        "`{{Ébauche}}`\n"
        "[[Fichier:Cyberbase.jpg|vignette|droite|250px|La cyber-base de Bellevue]]\n"
        "**La cyber-base** est un espace public numérique, à [[Brest]].\n\n"
        "## Ateliers\n"
        "1. Découverte de l'ordinateur\n"
        "   - niveau 1\n"
        "1. Retouche photo[^1]\n\n"
        "Contact : `cyberbase@exemple.fr`\n\n"
        "| Jour | Animateur |\n| --- | --- |\n| Lundi | Yann |\n\n"
        "## Références\n\n"
        "[[Catégorie:Bellevue]]\n\n"
        "[^1]: Avec [GIMP](http://www.gimp.org).\n"
    )
    assert mediawiki_habits(convert_mediawiki(WIKI_BREST_PAGE)) == []


def test_a_discussion_keeps_its_signatures_and_indents_as_quotes() -> None:
    text = "== Samedi ==\nOuvert ? ~~~~\n: Oui. ~~~~\n:: Merci ! ~~~\nSuite ~~~~~"
    assert convert(text) == (
        "## Samedi\nOuvert ? ~~~~\n> Oui. ~~~~\n> > Merci ! ~~~\n\nSuite ~~~~~"
    )


@pytest.mark.skipif(not EXPORTS.is_dir(), reason=f"MediaWiki exports not found: {EXPORTS}")
def test_converting_twice_changes_nothing_more() -> None:
    for name, source in [*_export_texts(), ("Wiki-Brest", WIKI_BREST_PAGE)]:
        once = convert_mediawiki(source)
        assert convert_mediawiki(once) == once, name


def test_a_template_in_a_cell_keeps_the_table() -> None:
    converted = convert("{|\n! A !! B\n|-\n| {{x|y}} || [[P|q]] a\n|}")
    assert converted == "| A | B |\n| --- | --- |\n| `{{x\\|y}}` | [[P|q]] a |"
    assert "<table>" in render_text(converted).html
