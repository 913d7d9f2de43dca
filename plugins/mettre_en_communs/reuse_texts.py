"""The reuse part's words for residents, French first, English too (the reader's
language); :func:`say` picks one."""

from __future__ import annotations

from typing import Any

from wikicoop.web.labels import in_reader_language

TEXTS: dict[str, dict[str, str]] = {
    "reuse": {"fr": "Réutiliser", "en": "Reuse"},
    "reuse_title": {"fr": "Réutiliser « {title} »", "en": "Reuse “{title}”"},
    "reuse_intro": {
        "fr": "Cette page est un commun : vous pouvez la reprendre en citant ses auteurs "
        "et sa licence. Copiez la mention ci-dessous.",
        "en": "This page is a commons: you may reuse it, crediting its authors and its "
        "licence. Copy the credit line below.",
    },
    "credit_text": {"fr": "Mention en texte", "en": "Credit line (text)"},
    "credit_html": {"fr": "Mention en HTML", "en": "Credit line (HTML)"},
    "copy_hint": {
        "fr": "Cliquez dans le cadre : tout le texte est sélectionné, copiez-le (Ctrl+C).",
        "en": "Click in the box: all its text is selected; copy it (Ctrl+C).",
    },
    "copy": {"fr": "Copier", "en": "Copy"},
    "copied": {"fr": "Copié.", "en": "Copied."},
    "by": {"fr": "par", "en": "by"},
    "source": {"fr": "source", "en": "source"},
    "licence": {"fr": "licence", "en": "licence"},
    "under": {"fr": "sous licence", "en": "under"},
    "unknown_author": {"fr": "auteur inconnu", "en": "unknown author"},
    "downloads": {"fr": "Télécharger", "en": "Download"},
    "export_md": {"fr": "La page en Markdown (.md)", "en": "The page as Markdown (.md)"},
    "export_html": {"fr": "La page en HTML (.html)", "en": "The page as HTML (.html)"},
    "export_zip": {
        "fr": "Tout le wiki ou une catégorie en archive zip",
        "en": "The whole wiki or a category as a zip archive",
    },
    "authors": {"fr": "Auteurs", "en": "Authors"},
    "licence_name": {"fr": "Licence", "en": "Licence"},
    "exported_on": {"fr": "Exporté le {date}", "en": "Exported on {date}"},
    "page_missing": {
        "fr": "La page « {title} » n'existe pas.",
        "en": "The page “{title}” does not exist.",
    },
    # -- the zip export and import
    "export_title": {"fr": "Exporter et importer", "en": "Export and import"},
    "export_intro": {
        "fr": "Téléchargez les pages publiques avec leur historique, leurs licences et "
        "leurs auteurs, en une archive zip.",
        "en": "Download the public pages with their history, licences and authors, as a "
        "zip archive.",
    },
    "category": {"fr": "Catégorie (vide : tout le wiki)", "en": "Category (empty: the whole wiki)"},
    "download": {"fr": "Télécharger l'archive", "en": "Download the archive"},
    "no_category": {
        "fr": "La catégorie « {name} » n'a aucune page.",
        "en": "The category “{name}” has no page.",
    },
    "import_title": {"fr": "Importer une archive", "en": "Import an archive"},
    "import_intro": {
        "fr": "Une archive zip exportée par un wiki wikicoop : ses pages sont recréées avec "
        "tout leur historique. Une page qui existe déjà ici garde sa version : seules les "
        "versions importées plus récentes que la sienne lui sont ajoutées.",
        "en": "A zip archive exported by a wikicoop wiki: its pages are created again with "
        "their whole history. A page that exists here keeps its version: only imported "
        "versions newer than its own are added to it.",
    },
    "import_file": {"fr": "Archive zip", "en": "Zip archive"},
    "import_button": {"fr": "Importer", "en": "Import"},
    "import_done": {
        "fr": "Import terminé : {created} page(s) créée(s), {updated} complétée(s), "
        "{skipped} ignorée(s), {revisions} version(s) importée(s).",
        "en": "Import done: {created} page(s) created, {updated} completed, "
        "{skipped} skipped, {revisions} version(s) imported.",
    },
    "import_no_file": {"fr": "Choisissez une archive zip.", "en": "Choose a zip archive."},
    "skipped_reason": {"fr": "Raison", "en": "Reason"},
    # -- reasons an archive is refused (status 400 / 413 / 422)
    "bad-zip": {
        "fr": "Ce fichier n'est pas une archive zip lisible.",
        "en": "This file is not a readable zip archive.",
    },
    "no-manifest": {
        "fr": "L'archive n'a pas de manifest.json : ce n'est pas un export de wikicoop.",
        "en": "The archive has no manifest.json: it is not a wikicoop export.",
    },
    "bad-manifest": {
        "fr": "Le manifest.json de l'archive est illisible ou d'un format inconnu ({detail}).",
        "en": "The archive's manifest.json is unreadable or of an unknown format ({detail}).",
    },
    "unsafe-path": {
        "fr": "L'archive contient un chemin dangereux : « {path} ».",
        "en": "The archive holds an unsafe path: “{path}”.",
    },
    "too-big": {
        "fr": "L'archive décompressée dépasserait {limit} Mo : elle est refusée.",
        "en": "The unpacked archive would exceed {limit} MB: it is refused.",
    },
    "bomb": {
        "fr": "L'archive se décompresse de façon anormale (« {path} ») : elle est refusée.",
        "en": "The archive unpacks abnormally (“{path}”): it is refused.",
    },
    "bad-history": {
        "fr": "L'historique de la page « {title} » est illisible ({detail}).",
        "en": "The history of the page “{title}” is unreadable ({detail}).",
    },
    "exists-older": {
        "fr": "la page existe déjà ici et n'a aucune version importée plus récente",
        "en": "the page exists here already and has no newer imported version",
    },
    "exists-licence": {
        "fr": "la page existe déjà ici sous une autre licence ({local})",
        "en": "the page exists here already under another licence ({local})",
    },
    "deleted-here": {
        "fr": "la page a été supprimée ici",
        "en": "the page was deleted here",
    },
    "import_refused": {"fr": "Import refusé", "en": "Import refused"},
}


def say(key: str, **params: Any) -> str:
    """A text of :data:`TEXTS` in the reader's language, filled with ``params``."""
    return in_reader_language(TEXTS[key], **params)
