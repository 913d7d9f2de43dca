"""The magazine's words, French first and English too: pages, forms, e-mails.

Kept as a small table (like the example plugin's) rather than a gettext catalog: pages
pick the reader's language (:func:`wikicoop.web.labels.in_reader_language`), e-mails are
written outside any request in their subscriber's language, so every text is reachable
by language without Flask-Babel.
"""

from __future__ import annotations

from typing import Any

from wikicoop.web.labels import current_language, in_reader_language

LANGUAGES = ("fr", "en")

TEXTS: dict[str, dict[str, str]] = {
    "menu": {"fr": "Magazine", "en": "Magazine"},
    "front": {"fr": "Le magazine du quartier", "en": "The neighbourhood magazine"},
    "front_intro": {
        "fr": "Les derniers articles écrits par les habitants, relus avant publication.",
        "en": "The latest articles written by residents, read before they are published.",
    },
    "none": {"fr": "Aucun article publié pour l'instant.", "en": "No article published yet."},
    "sections": {"fr": "Rubriques", "en": "Sections"},
    "section": {"fr": "Rubrique : {section}", "en": "Section: {section}"},
    "edition": {"fr": "Édition de la semaine {week}", "en": "Edition of week {week}"},
    "edition_span": {"fr": "Du {start} au {end}", "en": "From {start} to {end}"},
    "previous": {"fr": "Semaine précédente", "en": "Previous week"},
    "next": {"fr": "Semaine suivante", "en": "Next week"},
    "this_week": {"fr": "L'édition de la semaine", "en": "This week's edition"},
    "by": {"fr": "par {byline}", "en": "by {byline}"},
    "published_on": {"fr": "publié le {day}", "en": "published on {day}"},
    "feed": {"fr": "Flux Atom du magazine", "en": "Magazine Atom feed"},
    "feed_title": {"fr": "{site} : le magazine", "en": "{site}: the magazine"},
    "unknown_section": {"fr": "Cette rubrique n'existe pas.", "en": "There is no such section."},
    "bad_edition": {
        "fr": "Une édition s'écrit année-Wsemaine, par exemple 2026-W49.",
        "en": "An edition is written year-Wweek, for example 2026-W49.",
    },
    "bad_limit": {
        "fr": "« limit » est un nombre entier de 1 à 200.",
        "en": "“limit” is a whole number from 1 to 200.",
    },
    # subscriptions
    "subscribe": {"fr": "Recevoir la lettre du magazine", "en": "Get the magazine's letter"},
    "subscribe_intro": {
        "fr": "Chaque semaine, les articles publiés, dans votre boîte aux lettres. "
        "Vous confirmerez votre adresse par un lien reçu par courriel.",
        "en": "Every week, the articles published, in your mailbox. "
        "You will confirm your address through a link sent by e-mail.",
    },
    "email_label": {"fr": "Votre adresse électronique", "en": "Your e-mail address"},
    "subscribe_button": {"fr": "M'abonner", "en": "Subscribe"},
    "bad_email": {
        "fr": "« {email} » n'est pas une adresse électronique (par exemple nom@exemple.org).",
        "en": "“{email}” is not an e-mail address (for example name@example.org).",
    },
    "no_json": {
        "fr": "Envoyez un objet JSON avec « email ».",
        "en": "Send a JSON object with “email”.",
    },
    "check_mailbox": {
        "fr": "C'est noté. Si l'adresse peut recevoir la lettre, un courriel vous attend "
        "pour confirmer : ouvrez le lien qu'il contient.",
        "en": "Noted. If the address can receive the letter, an e-mail is on its way for "
        "you to confirm: open the link it contains.",
    },
    "confirm_title": {"fr": "Confirmer l'abonnement", "en": "Confirm the subscription"},
    "confirm_ask": {
        "fr": "Confirmez-vous l'abonnement de {email} à la lettre du magazine ?",
        "en": "Do you confirm the subscription of {email} to the magazine's letter?",
    },
    "confirm_button": {"fr": "Je confirme", "en": "I confirm"},
    "confirmed": {
        "fr": "Abonnement confirmé : la prochaine lettre arrivera chez {email}.",
        "en": "Subscription confirmed: the next letter will go to {email}.",
    },
    "bad_link": {
        "fr": "Ce lien n'est pas valable ou a expiré. Abonnez-vous à nouveau pour en recevoir un.",
        "en": "This link is not valid or has expired. Subscribe again to get a new one.",
    },
    "unsubscribe_title": {"fr": "Se désabonner", "en": "Unsubscribe"},
    "unsubscribe_ask": {
        "fr": "Ne plus envoyer la lettre du magazine à {email} ?",
        "en": "Stop sending the magazine's letter to {email}?",
    },
    "unsubscribe_button": {"fr": "Me désabonner", "en": "Unsubscribe me"},
    "unsubscribed": {
        "fr": "C'est fait : {email} ne recevra plus la lettre.",
        "en": "Done: {email} will not receive the letter any more.",
    },
    # e-mails
    "confirm_subject": {
        "fr": "Confirmez votre abonnement au magazine de {site}",
        "en": "Confirm your subscription to {site}'s magazine",
    },
    "confirm_body": {
        "fr": "Bonjour,\n\nQuelqu'un (sans doute vous) a demandé à recevoir chaque semaine la "
        "lettre du magazine de {site} à cette adresse.\n\nPour confirmer, ouvrez ce lien "
        "(valable {days} jours) :\n{link}\n\nSi ce n'est pas vous, ignorez ce message : "
        "rien ne vous sera envoyé.\n",
        "en": "Hello,\n\nSomeone (probably you) asked to receive {site}'s magazine letter "
        "every week at this address.\n\nTo confirm, open this link (valid for {days} "
        "days):\n{link}\n\nIf it was not you, ignore this message: nothing will be sent.\n",
    },
    "digest_subject": {
        "fr": "{site} : la lettre du magazine, semaine {week}",
        "en": "{site}: the magazine's letter, week {week}",
    },
    "digest_intro": {
        "fr": "Les articles publiés cette semaine, du {start} au {end} :",
        "en": "The articles published this week, from {start} to {end}:",
    },
    "digest_empty": {
        "fr": "Aucun article n'a été publié cette semaine.",
        "en": "No article was published this week.",
    },
    "read_more": {"fr": "Lire l'article", "en": "Read the article"},
    "read_more_link": {"fr": "Lire l'article : {url}", "en": "Read the article: {url}"},
    "digest_footer": {
        "fr": "Vous recevez cette lettre parce que vous vous êtes abonné(e). "
        "Pour vous désabonner : {link}",
        "en": "You receive this letter because you subscribed. To unsubscribe: {link}",
    },
    "preview": {"fr": "Aperçu de la lettre, semaine {week}", "en": "Letter preview, week {week}"},
    "preview_note": {
        "fr": "Voici la lettre telle que les abonnés la recevront ({count} abonné(s) "
        "confirmé(s)). Elle s'envoie en ligne de commande : wikicoop magazine send-digest "
        "--edition {edition}",
        "en": "This is the letter as subscribers will receive it ({count} confirmed "
        "subscriber(s)). Send it from the command line: wikicoop magazine send-digest "
        "--edition {edition}",
    },
    "plain_version": {"fr": "Version texte", "en": "Plain text version"},
}


def language() -> str:
    """The reader's language among :data:`LANGUAGES` (French outside a request)."""
    current = current_language()
    return current if current in LANGUAGES else "fr"


def say(key: str, lang: str | None = None, **params: Any) -> str:
    """A text of :data:`TEXTS` in ``lang``, or in the reader's language when not given
    (an e-mail is written in its subscriber's language, outside any request)."""
    if lang is None:
        return in_reader_language(TEXTS[key], **params)
    texts = TEXTS[key]
    return (texts.get(lang) or texts["fr"]).format(**params)
