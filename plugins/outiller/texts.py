"""The plugin's words for residents, French first, English too (the reader's language)."""

from __future__ import annotations

from typing import Any

from wikicoop.web.labels import current_language, in_reader_language

TEXTS: dict[str, dict[str, str]] = {
    "menu": {"fr": "Ateliers", "en": "Workshops"},
    "upcoming": {"fr": "Ateliers à venir", "en": "Upcoming workshops"},
    "month": {"fr": "Ateliers de {month}", "en": "Workshops of {month}"},
    "at_place": {"fr": "Ateliers au lieu « {place} »", "en": "Workshops at “{place}”"},
    "on_topic": {"fr": "Ateliers sur le thème « {topic} »", "en": "Workshops on “{topic}”"},
    "none": {"fr": "Aucun atelier.", "en": "No workshop."},
    "past": {"fr": "passé", "en": "past"},
    "remaining": {"fr": "{n} places restantes", "en": "{n} places left"},
    "remaining_one": {"fr": "{n} place restante", "en": "{n} place left"},
    "full": {"fr": "complet — liste d'attente", "en": "full — waiting list"},
    "waiting_count": {"fr": "{n} en attente", "en": "{n} waiting"},
    "place": {"fr": "Lieu", "en": "Place"},
    "topics": {"fr": "Thèmes", "en": "Topics"},
    "level": {"fr": "Niveau", "en": "Level"},
    "audience": {"fr": "Public", "en": "Audience"},
    "facilitators": {"fr": "Animation", "en": "Facilitators"},
    "when": {"fr": "Quand", "en": "When"},
    "weekly": {"fr": "chaque semaine jusqu'au {until}", "en": "weekly until {until}"},
    "previous_month": {"fr": "← Mois précédent", "en": "← Previous month"},
    "next_month": {"fr": "Mois suivant →", "en": "Next month →"},
    "at_this_place": {"fr": "les ateliers de ce lieu", "en": "workshops at this place"},
    "by_month": {"fr": "Par mois", "en": "By month"},
    "by_place": {"fr": "Par lieu", "en": "By place"},
    "by_topic": {"fr": "Par thème", "en": "By topic"},
    "feeds": {"fr": "Agenda à importer (iCalendar) : ", "en": "Calendar to import (iCalendar): "},
    "all_feed": {"fr": "tous les ateliers", "en": "every workshop"},
    "this_feed": {"fr": "cette sélection", "en": "this selection"},
    "learn": {"fr": "Apprendre à écrire", "en": "Learn to write"},
    "sections": {"fr": "Rubriques des ateliers", "en": "Workshop sections"},
    # the sign-up panel on a workshop's page
    "panel": {"fr": "Inscription", "en": "Registration"},
    "sign_up": {"fr": "S'inscrire", "en": "Sign up"},
    "cancel": {"fr": "Annuler mon inscription", "en": "Cancel my registration"},
    "leave_queue": {"fr": "Quitter la liste d'attente", "en": "Leave the waiting list"},
    "you_registered": {"fr": "Vous êtes inscrit·e.", "en": "You are registered."},
    "you_waiting": {
        "fr": "Vous êtes en liste d'attente (place {position}).",
        "en": "You are on the waiting list (place {position}).",
    },
    "login_to_sign_up": {
        "fr": "Connectez-vous pour vous inscrire.",
        "en": "Log in to sign up.",
    },
    "login": {"fr": "Se connecter", "en": "Log in"},
    "list_link": {"fr": "Liste des inscrits", "en": "List of participants"},
    "progress_link": {"fr": "Progression des participants", "en": "Participants' progress"},
    "registered_flash": {"fr": "Inscription enregistrée.", "en": "You are registered."},
    "waiting_flash": {
        "fr": "L'atelier est complet : vous êtes en liste d'attente (place {position}).",
        "en": "The workshop is full: you are on the waiting list (place {position}).",
    },
    "already_flash": {
        "fr": "Vous étiez déjà inscrit·e à cette séance.",
        "en": "You were already signed up to this session.",
    },
    "cancelled_flash": {"fr": "Inscription annulée.", "en": "Registration cancelled."},
    "no_sessions": {"fr": "Aucune séance à venir.", "en": "No upcoming session."},
    # facilitators' list
    "participants": {"fr": "Inscriptions : {title}", "en": "Registrations: {title}"},
    "session": {"fr": "Séance", "en": "Session"},
    "account": {"fr": "Compte", "en": "Account"},
    "email": {"fr": "Courriel", "en": "E-mail"},
    "status": {"fr": "Statut", "en": "Status"},
    "position": {"fr": "Rang", "en": "Position"},
    "signed_at": {"fr": "Inscrit·e le", "en": "Signed up on"},
    "registered": {"fr": "inscrit·e", "en": "registered"},
    "waiting": {"fr": "en attente", "en": "waiting"},
    "export_csv": {"fr": "Exporter en CSV", "en": "Export as CSV"},
    "nobody": {"fr": "Personne n'est encore inscrit.", "en": "Nobody has signed up yet."},
    "my_feed": {"fr": "Mon agenda personnel (iCalendar)", "en": "My personal calendar (iCalendar)"},
    # learning
    "learn_title": {"fr": "Apprendre à écrire sur le wiki", "en": "Learn to write on the wiki"},
    "learn_intro": {
        "fr": "Quelques exercices à faire à votre rythme, d'abord dans votre bac à sable. "
        "Le wiki vérifie lui-même ce que vous avez fait.",
        "en": "A few exercises to do at your own pace, first in your sandbox. "
        "The wiki checks by itself what you did.",
    },
    "learn_login": {
        "fr": "Connectez-vous pour suivre votre progression.",
        "en": "Log in to follow your progress.",
    },
    "progress": {
        "fr": "{done} exercices réussis sur {total}",
        "en": "{done} of {total} exercises done",
    },
    "progress_one": {
        "fr": "{done} exercice réussi sur {total}",
        "en": "{done} of {total} exercises done",
    },
    "exercises": {"fr": "Les exercices", "en": "The exercises"},
    "progress_label": {"fr": "Progression", "en": "Progress"},
    "done": {"fr": "fait", "en": "done"},
    "todo": {"fr": "à faire", "en": "to do"},
    "check": {"fr": "Vérifier", "en": "Check"},
    "sandbox": {"fr": "Mon bac à sable", "en": "My sandbox"},
    "open_sandbox": {"fr": "Ouvrir mon bac à sable", "en": "Open my sandbox"},
    "reset": {"fr": "Réinitialiser mon bac à sable", "en": "Reset my sandbox"},
    "reset_help": {
        "fr": "Remet le texte de départ. L'historique garde vos essais : rien n'est perdu.",
        "en": "Puts the starting text back. The history keeps your attempts: nothing is lost.",
    },
    "reset_done": {
        "fr": "Votre bac à sable a retrouvé son texte de départ (l'historique garde vos essais).",
        "en": "Your sandbox has its starting text again (the history keeps your attempts).",
    },
    "reset_summary": {"fr": "Réinitialisation du bac à sable", "en": "Sandbox reset"},
    "progression": {"fr": "Progression : {title}", "en": "Progress: {title}"},
    "learner": {"fr": "Participant·e", "en": "Participant"},
    # refusals
    "not-a-workshop": {
        "fr": "« {title} » n'est pas un atelier publié.",
        "en": "“{title}” is not a published workshop.",
    },
    "unknown-session": {
        "fr": "L'atelier « {title} » n'a pas de séance le {start}.",
        "en": "The workshop “{title}” has no session on {start}.",
    },
    "past-session": {
        "fr": "Cette séance de « {title} » a déjà eu lieu ({start}) : "
        "on ne peut plus s'y inscrire ni se désinscrire.",
        "en": "This session of “{title}” has already taken place ({start}): "
        "signing up or cancelling is closed.",
    },
    "no-upcoming": {
        "fr": "L'atelier « {title} » n'a plus de séance à venir.",
        "en": "The workshop “{title}” has no upcoming session.",
    },
    "not-registered": {
        "fr": "Vous n'êtes pas inscrit·e à cette séance.",
        "en": "You are not signed up to this session.",
    },
    "bad-date": {
        "fr": "Date invalide pour « {parameter} » : « {value} ». Attendu AAAA-MM-JJ "
        "ou une date et heure ISO 8601 (2026-12-03T14:30).",
        "en": "Invalid date for “{parameter}”: “{value}”. Expected YYYY-MM-DD "
        "or an ISO 8601 date and time (2026-12-03T14:30).",
    },
    "bad-range": {
        "fr": "« to » ({to}) doit venir après « from » ({from_}).",
        "en": "“to” ({to}) must come after “from” ({from_}).",
    },
    "bad-month": {
        "fr": "Mois invalide « {value} » : attendu AAAA-MM, par exemple 2026-12.",
        "en": "Invalid month “{value}”: expected YYYY-MM, for example 2026-12.",
    },
    "bad-key": {
        "fr": "Lien d'agenda invalide : demandez le lien depuis la page des ateliers.",
        "en": "Invalid calendar link: get the link from the workshops page.",
    },
    "not-facilitator": {
        "fr": "Seuls les animateurs de cet atelier et les modérateurs voient cette page.",
        "en": "Only this workshop's facilitators and the moderators see this page.",
    },
    "login-needed": {
        "fr": "Connectez-vous pour vous inscrire à un atelier.",
        "en": "Log in to sign up to a workshop.",
    },
}


def say(key: str, **params: Any) -> str:
    """A text of :data:`TEXTS` in the reader's language, filled with ``params``."""
    return in_reader_language(TEXTS[key], **params)


def say_count(key: str, count: int, **params: Any) -> str:
    """:func:`say` with the singular form ``<key>_one`` for one (and zero in French)."""
    single = count <= 1 if current_language() == "fr" else count == 1
    return say(f"{key}_one" if single and f"{key}_one" in TEXTS else key, **params)
