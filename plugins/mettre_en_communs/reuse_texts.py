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
        "fr": "Cliquez dans un cadre, sélectionnez tout son texte (Ctrl+A), puis copiez-le "
        "(Ctrl+C) ; sur un téléphone, un appui long puis « Tout sélectionner ».",
        "en": "Click in a box, select all its text (Ctrl+A), then copy it (Ctrl+C); on a "
        "phone, a long press then “Select all”.",
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
        "tout leur historique. Une page qui existe déjà ici n'est pas modifiée : elle est "
        "signalée comme ignorée.",
        "en": "A zip archive exported by a wikicoop wiki: its pages are created again with "
        "their whole history. A page that exists here already is left as it is and "
        "reported as skipped.",
    },
    "import_file": {"fr": "Archive zip", "en": "Zip archive"},
    "import_button": {"fr": "Importer", "en": "Import"},
    "import_done": {
        "fr": "Import terminé : {created} page(s) créée(s), {skipped} ignorée(s), "
        "{revisions} version(s) importée(s).",
        "en": "Import done: {created} page(s) created, {skipped} skipped, "
        "{revisions} version(s) imported.",
    },
    "import_files": {
        "fr": "Fichiers : {restored} restauré(s) avec leurs versions, {failed} laissé(s) de côté.",
        "en": "Files: {restored} restored with their versions, {failed} left out.",
    },
    "file-exists": {
        "fr": "ce fichier a déjà des versions sur ce wiki",
        "en": "this file has versions on this wiki already",
    },
    "file-missing": {"fr": "une version manque dans l'archive", "en": "a version is missing"},
    "file-corrupt": {
        "fr": "une version est abîmée (empreinte SHA-256 différente)",
        "en": "a version is damaged (another SHA-256)",
    },
    "file-type": {
        "fr": "une version n'a pas le type qu'annonce son nom",
        "en": "a version is not of the type its name says",
    },
    "file-bad-name": {"fr": "nom de fichier invalide", "en": "invalid file name"},
    "file-failed": {"fr": "enregistrement refusé", "en": "not saved"},
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
    "exists": {
        "fr": "la page existe déjà ici : elle n'est pas modifiée",
        "en": "the page exists here already: it is left as it is",
    },
    "import_refused": {
        "fr": "Seuls les administrateurs peuvent importer une archive.",
        "en": "Only administrators may import an archive.",
    },
    # -- shared resources
    "resources": {"fr": "Ressources partagées", "en": "Shared resources"},
    "resources_intro": {
        "fr": "Logiciels libres, guides, données ouvertes… que le territoire partage.",
        "en": "Free software, guides, open data… shared by the territory.",
    },
    "kind": {"fr": "Genre", "en": "Kind"},
    "any": {"fr": "Tous", "en": "All"},
    "filter": {"fr": "Filtrer", "en": "Filter"},
    "resources_count": {"fr": "{n} ressource(s)", "en": "{n} resource(s)"},
    "new_resource": {"fr": "Décrire une ressource", "en": "Describe a resource"},
    # -- licences
    "licences_title": {"fr": "Les licences des communs", "en": "The licences of the commons"},
    "licences_intro": {
        "fr": "Combien de pages et de fichiers sont publiés sous chaque licence.",
        "en": "How many pages and files are published under each licence.",
    },
    "pages_per_licence": {"fr": "Pages par licence", "en": "Pages per licence"},
    "files_per_licence": {"fr": "Fichiers par licence", "en": "Files per licence"},
    "licence_col": {"fr": "Licence", "en": "Licence"},
    "pages_col": {"fr": "Pages", "en": "Pages"},
    "files_col": {"fr": "Fichiers", "en": "Files"},
    "no_file": {"fr": "Aucun fichier publié.", "en": "No file published."},
    "no_page": {"fr": "Aucune page publiée.", "en": "No page published."},
    "to_check": {"fr": "Licences à vérifier", "en": "Licences to check"},
    "to_check_intro": {
        "fr": "Les pages qui reprennent un contenu sous une licence qu'elles ne peuvent pas "
        "porter. Une page sort de la liste dès qu'une nouvelle version corrige le problème.",
        "en": "Pages that carry content under a licence they cannot carry. A page leaves "
        "the list as soon as a new version fixes it.",
    },
    "no_conflict": {"fr": "Aucun conflit de licence.", "en": "No licence conflict."},
    "page_col": {"fr": "Page", "en": "Page"},
    "item_col": {"fr": "Contenu repris", "en": "Embedded content"},
    "reason_col": {"fr": "Problème", "en": "Problem"},
    "since_col": {"fr": "Depuis", "en": "Since"},
    "unknown_authors": {"fr": "Pages sans auteur connu", "en": "Pages without a known author"},
    "none_unknown": {"fr": "Aucune.", "en": "None."},
    "moderators_only": {
        "fr": "Cette liste est réservée aux modérateurs.",
        "en": "This list is for moderators only.",
    },
    "reason_unknown": {"fr": "licence inconnue", "en": "unknown licence"},
    "reason_reserved": {"fr": "tous droits réservés", "en": "all rights reserved"},
    "reason_nc": {
        "fr": "non commercial dans une page qui permet l'usage commercial",
        "en": "non-commercial in a page that allows commercial use",
    },
    "reason_nd": {"fr": "pas de modification", "en": "no derivatives"},
    "reason_sa": {
        "fr": "partage dans les mêmes conditions : la page ne peut pas le reprendre",
        "en": "share-alike: the page cannot carry it",
    },
    "reason_attribution": {
        "fr": "attribution demandée dans une page CC0",
        "en": "attribution required in a CC0 page",
    },
}


def say(key: str, **params: Any) -> str:
    """A text of :data:`TEXTS` in the reader's language, filled with ``params``."""
    return in_reader_language(TEXTS[key], **params)
