"""What the edit form and its script share with the editor's API.

- A page as it would look once saved, before it is: the edit form's preview button and
  the live preview (``POST /api/v1/preview``) both render through the saved page's own
  pipeline (:func:`~wikicoop.core.render_cache.render_text`, then the infobox of the
  structured fields exactly as a page view builds it). Nothing is written: the caller
  rolls the session back.
- The sentences of ``static/editor.js``, in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app, render_template
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import Session

from ..core.models import Revision, utcnow
from ..core.render_cache import render_text
from ..text.signatures import expand_signatures
from . import fields as typed
from .helpers import author, renderer


@dataclass(frozen=True)
class Preview:
    """What a preview shows: the page's HTML (sanitized by the pipeline) and, for a typed
    page, its infobox (escaped HTML, empty otherwise)."""

    html: str
    infobox_html: Markup = field(default_factory=Markup)

    @property
    def empty(self) -> bool:
        """Nothing to show (no text, no fields)."""
        return not self.html.strip() and not self.infobox_html


def render_preview(
    session: Session, text: str, page_type: str | None, values: dict[str, Any] | None
) -> Preview:
    """Render ``text`` (line endings normalised) and the infobox of ``values`` of
    ``page_type`` (already validated: :func:`wikicoop.core.page_types.validate_fields`)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = _signed_as_on_save(text)
    html = render_text(session, renderer(), text).html if text.strip() else ""
    box = None
    if page_type:
        # an unsaved revision: the infobox reads only its type and values
        box = typed.infobox(Revision(page_type=page_type, fields=dict(values or {})))
    infobox_html = Markup(render_template("_infobox.html", infobox=box)) if box else Markup()
    return Preview(html=html, infobox_html=infobox_html)


def _signed_as_on_save(text: str) -> str:
    """The signatures (``~~~~``...) written out as the save will write them, so that a
    signature alone on its line does not look like a code block in the preview."""
    if "~~~" not in text:
        return text
    writer = author()
    name = writer.user.username if writer.user is not None else writer.ip
    if not name:
        return text
    config = current_app.config
    return expand_signatures(
        text, name, utcnow(), config["TIMEZONE"], locale=config["DEFAULT_LANGUAGE"]
    )


# -- the editor's script -------------------------------------------------------------------

#: the upload form of the files plugin (the Image button points to it when it is served)
UPLOAD_PATH = "/fichiers/televerser"


def editor_texts(max_bytes: int) -> dict[str, Any]:
    """The sentences of ``editor.js`` in the reader's language (the script hard-codes
    none), rendered by ``edit.html`` in a JSON block the script reads."""
    return {
        "maxBytes": max_bytes,
        "toolbar": _("Mise en forme"),
        "bold": _("Gras"),
        "italic": _("Italique"),
        "heading": _("Titre"),
        "list": _("Liste"),
        "pageLink": _("Lien vers une page"),
        "siteLink": _("Lien vers un site"),
        "image": _("Image"),
        "table": _("Tableau"),
        "convert": _("Convertir en syntaxe du wiki"),
        "sampleBold": _("texte en gras"),
        "sampleItalic": _("texte en italique"),
        "sampleHeading": _("Titre de la section"),
        "sampleItem": _("élément"),
        "sampleLinkText": _("texte du lien"),
        "sampleImage": _("Nom.jpg"),
        "sampleCaption": _("légende"),
        "tableHeader": [_("Colonne 1"), _("Colonne 2")],
        "tableCell": _("texte"),
        "shortcuts": _(
            "Raccourcis : Ctrl+B gras, Ctrl+I italique, Ctrl+K lien, Ctrl+S enregistrer, "
            "Alt+Maj+P aperçu (Cmd au lieu de Ctrl sur Mac)."
        ),
        "pageDialogTitle": _("Lien vers une page du wiki"),
        "pageTitleLabel": _("Titre de la page"),
        "pageTextLabel": _("Texte affiché (facultatif)"),
        "siteDialogTitle": _("Lien vers un autre site"),
        "siteUrlLabel": _("Adresse du site (https://…)"),
        "siteTextLabel": _("Texte du lien"),
        "imageDialogTitle": _("Insérer une image"),
        "imageNameLabel": _("Nom du fichier (par exemple Photo.jpg)"),
        "imageCaptionLabel": _("Légende"),
        "uploadLink": _("Envoyer une nouvelle image (s'ouvre dans un nouvel onglet)"),
        "insert": _("Insérer"),
        "cancel": _("Annuler"),
        "noSuggestion": _("Aucune page ne commence ainsi : le lien sera rouge."),
        "suggestions": _("%(n)s pages proposées : flèches haut et bas pour choisir."),
        "livePreview": _("Aperçu en direct"),
        "livePreviewTitle": _("Aperçu en direct (pas encore enregistré)"),
        "previewWaiting": _("Aperçu en cours…"),
        "previewEmpty": _("Rien à montrer : la page est vide."),
        "previewFailed": _("L'aperçu n'a pas pu être affiché : %(reason)s"),
        "previewOffline": _("L'aperçu n'a pas pu être affiché : le wiki ne répond pas."),
        "sessionExpired": _(
            "Votre session a expiré : connectez-vous à nouveau (dans un autre onglet), "
            "votre texte est conservé ici."
        ),
        "notices": _("À vérifier avant d'enregistrer"),
        "saving": _("Enregistrement…"),
        "leaveWarning": _("Vos modifications ne sont pas enregistrées."),
        "draftFound": _("Un texte non enregistré de cette page a été gardé par ce navigateur."),
        "draftResume": _("Reprendre le texte non enregistré"),
        "draftIgnore": _("Ignorer"),
        "draftResumed": _("Le texte non enregistré est revenu dans la zone d'édition."),
        "pasteConverted": _("Le texte collé a été mis en forme pour le wiki."),
        "pasteUndo": _("Coller le texte brut à la place"),
        "pasteUndone": _("Le texte collé est maintenant le texte brut."),
        "convertDone": _(
            "Le texte a été converti en syntaxe du wiki. Rien n'est encore enregistré."
        ),
        "convertUndo": _("Revenir au texte d'avant"),
        "convertFailed": _("La conversion n'a pas pu se faire : %(reason)s"),
        "tooBig": _(
            "Le texte est trop long : %(size)s octets pour %(max)s au plus. Découpez-le en "
            "plusieurs pages."
        ),
    }
