"""The MediaWiki habits found in a text (:func:`wikicoop.text.mediawiki.mediawiki_habits`)
said to the writer in plain words, in their language: one sentence per habit, shown with
the edit notices (the preview, after a save, the API's save answer)."""

from __future__ import annotations

from flask_babel import gettext

from ..text.mediawiki import mediawiki_habits
from .labels import N_

__all__ = ["HABIT_HINTS", "habit_hints"]

_BUTTON = N_("Le bouton « Convertir en syntaxe du wiki » le fait pour vous.")

#: one sentence per habit code (translated when shown), the button's sentence follows
HABIT_HINTS = {
    "signature": N_(
        "Vous avez signé avec ~~~~ comme sur MediaWiki : à l'enregistrement, ~~~~ devient "
        "votre nom et la date (~~~ : le nom seul, ~~~~~ : la date seule). L'aperçu montre "
        "encore les tildes."
    ),
    "quotes": N_(
        "Vous avez écrit '''gras''' ou ''italique'' à la façon de MediaWiki : ici on écrit "
        "**gras** et *italique*."
    ),
    "heading": N_(
        "Vous avez écrit un titre == Titre == à la façon de MediaWiki : ici on écrit "
        "## Titre en début de ligne."
    ),
    "external_link": N_(
        "Vous avez écrit un lien [https://adresse texte] à la façon de MediaWiki : ici on "
        "écrit [texte](https://adresse)."
    ),
    "template": N_(
        "Vous avez utilisé un modèle {{…}} de MediaWiki : ce wiki n'a pas de modèles, il "
        "s'affiche tel quel. Remplacez-le par du texte ; la conversion le met en évidence."
    ),
    "numbered_list": N_(
        "Vous avez commencé des lignes par # pour une liste numérotée, comme sur "
        "MediaWiki : ici, # en début de ligne fait un grand titre. On écrit 1. à la place."
    ),
    "file_link": N_(
        "Vous avez écrit [[File:…]] ou une option d'image de MediaWiki : ici on écrit "
        "[[Fichier:nom.jpg|vignette|droite|légende]]."
    ),
    "table": N_(
        "Vous avez écrit un tableau {| … |} à la façon de MediaWiki : ici on écrit les "
        "lignes entre barres, | case | case |. La conversion le fait pour les tableaux "
        "simples."
    ),
}

#: habits the conversion button changes (a signature is written out by the save)
_CONVERTED = frozenset(HABIT_HINTS) - {"signature", "template"}


def habit_hints(text: str) -> list[str]:
    """One plain sentence per MediaWiki habit found in ``text``, in the reader's
    language ([] when none): what was typed, what to type here, and the button."""
    hints = []
    for code in mediawiki_habits(text):
        hint = gettext(HABIT_HINTS[code])
        if code in _CONVERTED:
            hint += " " + gettext(_BUTTON)
        hints.append(hint)
    return hints
