"""The media library's words, French first, English too (the reader's language)."""

from __future__ import annotations

from typing import Any

from wikicoop.web.labels import in_reader_language

TEXTS: dict[str, dict[str, str]] = {
    "menu": {"fr": "Fichiers", "en": "Files"},
    "type": {"fr": "Fichier (image ou document)", "en": "File (image or document)"},
    "gallery": {"fr": "Fichiers partagés", "en": "Shared files"},
    "gallery_intro": {
        "fr": "Images et documents déposés sur le wiki, chacun avec sa licence.",
        "en": "Images and documents uploaded to the wiki, each with its licence.",
    },
    "upload": {"fr": "Téléverser un fichier", "en": "Upload a file"},
    "upload_intro": {
        "fr": "Images JPEG, PNG, GIF ou WebP, documents PDF, OpenDocument (odt, ods, odp) "
        "ou texte, {limit} au plus. Les images sont réenregistrées sans leurs données "
        "EXIF (position GPS, appareil…).",
        "en": "JPEG, PNG, GIF or WebP images, PDF, OpenDocument (odt, ods, odp) or text "
        "documents, {limit} at most. Images are saved again without their EXIF data "
        "(GPS position, camera…).",
    },
    "file": {"fr": "Fichier", "en": "File"},
    "name": {"fr": "Nom du fichier sur le wiki", "en": "File name on the wiki"},
    "name_help": {
        "fr": "Par exemple « Jardin partagé de Kerourien.jpg » ; laissez vide pour garder "
        "le nom du fichier envoyé. Un nom déjà pris ajoute une nouvelle version.",
        "en": "For instance “Shared garden.jpg”; leave empty to keep the uploaded file's "
        "name. A name already taken adds a new version.",
    },
    "licence": {"fr": "Licence", "en": "Licence"},
    "author": {"fr": "Auteur ou autrice", "en": "Author"},
    "source": {"fr": "Source", "en": "Source"},
    "source_help": {
        "fr": "« Travail personnel », ou l'adresse d'où vient le fichier.",
        "en": "“Own work”, or the address the file comes from.",
    },
    "description": {"fr": "Description", "en": "Description"},
    "comment": {"fr": "Commentaire de version", "en": "Version comment"},
    "send": {"fr": "Téléverser", "en": "Upload"},
    "uploaded": {"fr": "Fichier « {name} » enregistré.", "en": "File “{name}” saved."},
    "uploaded_pending": {
        "fr": "Fichier « {name} » enregistré ; sa page attend une relecture.",
        "en": "File “{name}” saved; its page waits for review.",
    },
    "panel": {"fr": "Fichier", "en": "File"},
    "download": {"fr": "Télécharger le fichier", "en": "Download the file"},
    "versions": {"fr": "Versions du fichier", "en": "File versions"},
    "version": {"fr": "Version", "en": "Version"},
    "date": {"fr": "Date", "en": "Date"},
    "who": {"fr": "Par", "en": "By"},
    "size": {"fr": "Taille", "en": "Size"},
    "dimensions": {"fr": "Dimensions", "en": "Dimensions"},
    "kind": {"fr": "Type", "en": "Type"},
    "current": {"fr": "actuelle", "en": "current"},
    "used_in": {"fr": "Utilisé dans", "en": "Used in"},
    "unused": {"fr": "Aucune page n'utilise ce fichier.", "en": "No page uses this file."},
    "no_version": {
        "fr": "Ce fichier n'a encore aucune version téléversée.",
        "en": "No version of this file has been uploaded yet.",
    },
    "new_version": {"fr": "Téléverser une nouvelle version", "en": "Upload a new version"},
    "history": {"fr": "Historique de la page", "en": "Page history"},
    "missing_file": {
        "fr": "Fichier inexistant : cliquer pour le téléverser",
        "en": "Missing file: click to upload it",
    },
    "all": {"fr": "Toutes", "en": "All"},
    "uploader": {"fr": "Déposé par", "en": "Uploaded by"},
    "filter": {"fr": "Filtrer", "en": "Filter"},
    "none": {"fr": "Aucun fichier ne correspond.", "en": "No file matches."},
    "count": {"fr": "{n} fichier(s)", "en": "{n} file(s)"},
    "unknown": {"fr": "non renseigné", "en": "not given"},
    # refusals (the API answers them as {"error": sentence, "code": key})
    "empty": {"fr": "Le fichier envoyé est vide (0 octet).", "en": "The file sent is empty."},
    "no-file": {
        "fr": "Aucun fichier envoyé : choisissez un fichier (champ « file »).",
        "en": "No file sent: choose a file (field “file”).",
    },
    "too-big": {
        "fr": "Le fichier dépasse la taille permise ({limit}).",
        "en": "The file is larger than allowed ({limit}).",
    },
    "unknown-type": {
        "fr": "Ce type de fichier n'est pas accepté (d'après son contenu) : envoyez une "
        "image JPEG, PNG, GIF ou WebP, un PDF, un document OpenDocument ou du texte.",
        "en": "This kind of file is not accepted (judging by its content): send a JPEG, "
        "PNG, GIF or WebP image, a PDF, an OpenDocument file or text.",
    },
    "wrong-extension": {
        "fr": "Le nom ne correspond pas au contenu : l'extension « .{extension} » ne convient "
        "pas, ce fichier appelle {expected}.",
        "en": "The name does not match the content: the extension “.{extension}” does not "
        "fit, this file needs {expected}.",
    },
    "svg-refused": {
        "fr": "Les images SVG ne sont pas acceptées (elles peuvent contenir des scripts) : "
        "envoyez un PNG.",
        "en": "SVG images are not accepted (they may hold scripts): send a PNG.",
    },
    "markup-refused": {
        "fr": "Les pages HTML, XML ou PHP ne sont pas acceptées comme fichiers.",
        "en": "HTML, XML or PHP pages are not accepted as files.",
    },
    "bomb": {
        "fr": "Image refusée : elle compte trop de pixels (plus de {pixels} millions).",
        "en": "Image refused: it has too many pixels (more than {pixels} million).",
    },
    "broken": {
        "fr": "Le fichier est abîmé ou tronqué : il ne peut pas être lu.",
        "en": "The file is damaged or truncated: it cannot be read.",
    },
    "bad-name": {
        "fr": "Nom de fichier invalide : {reason}",
        "en": "Invalid file name: {reason}",
    },
    "bad-licence": {"fr": "Licence inconnue : « {code} ».", "en": "Unknown licence: “{code}”."},
    "duplicate": {
        "fr": "Ce fichier est déjà sur le wiki : « Fichier:{name} ».",
        "en": "This file is already on the wiki: “File:{name}”.",
    },
    "reupload-trusted": {
        "fr": "Remplacer le fichier d'une autre personne demande un compte confirmé : "
        "téléversez votre version sous un autre nom, ou demandez à un modérateur.",
        "en": "Replacing someone else's file needs a confirmed account: upload your "
        "version under another name, or ask a moderator.",
    },
    "licence-differs": {
        "fr": "Ce fichier est sous licence {licence} : une nouvelle version garde la licence "
        "de sa page (changez-la d'abord sur la page, si c'est permis).",
        "en": "This file is under {licence}: a new version keeps its page's licence "
        "(change it on the page first, if allowed).",
    },
    "login_needed": {
        "fr": "Connectez-vous (ou envoyez un jeton d'API) pour téléverser un fichier.",
        "en": "Log in (or send an API token) to upload a file.",
    },
    "not-a-file": {"fr": "Ce fichier n'existe pas.", "en": "This file does not exist."},
    "refused": {"fr": "Enregistrement refusé : {reason}", "en": "Not saved: {reason}"},
}


def say(key: str, **params: Any) -> str:
    """A text of :data:`TEXTS` in the reader's language, filled with ``params``."""
    return in_reader_language(TEXTS[key], **params)
