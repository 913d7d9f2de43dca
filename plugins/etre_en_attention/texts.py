"""The plugin's interface texts, French first and English, picked in the reader's language
(like the annonces example plugin: a small table rather than a catalog)."""

from __future__ import annotations

from typing import Any

from wikicoop.web.labels import in_reader_language

TEXTS: dict[str, dict[str, str]] = {
    "menu": {"fr": "Appel à projets", "en": "Call for projects"},
    "list": {"fr": "Les initiatives de l'appel à projets", "en": "The initiatives of the call"},
    "none": {"fr": "Aucune initiative ne correspond.", "en": "No initiative matches."},
    "year_title": {"fr": "Appel à projets {year}", "en": "Call for projects {year}"},
    "no_call": {
        "fr": "Il n'y a pas d'appel à projets cette année pour l'instant.",
        "en": "There is no call for projects this year yet.",
    },
    "call_open": {
        "fr": "L'appel {year} est ouvert jusqu'au {closes}.",
        "en": "The {year} call is open until {closes}.",
    },
    "call_not_yet": {
        "fr": "L'appel {year} ouvrira le {opens}.",
        "en": "The {year} call opens on {opens}.",
    },
    "call_closed": {
        "fr": "L'appel {year} est clos depuis le {closes} : on ne peut plus proposer "
        "d'initiative cette année.",
        "en": "The {year} call closed on {closes}: no more initiatives can be proposed this year.",
    },
    "propose": {"fr": "Proposer une initiative", "en": "Propose an initiative"},
    "propose_intro": {
        "fr": "Vous avez une idée pour votre quartier ? Décrivez-la ici. Un modérateur "
        "la relit avant qu'elle soit publiée.",
        "en": "You have an idea for your neighbourhood? Describe it here. A moderator "
        "reads it before it is published.",
    },
    "login_first": {
        "fr": "Connectez-vous pour proposer une initiative.",
        "en": "Log in to propose an initiative.",
    },
    "login_link": {"fr": "Se connecter", "en": "Log in"},
    "thanks": {
        "fr": "Merci ! Votre initiative est arrivée. Un modérateur la relit avant de la publier.",
        "en": "Thank you! Your initiative has arrived. A moderator reads it before publishing it.",
    },
    "title_taken": {
        "fr": "Une page porte déjà ce nom : choisissez-en un autre.",
        "en": "A page already has this name: choose another one.",
    },
    "send": {"fr": "Envoyer ma proposition", "en": "Send my proposal"},
    "f_title": {"fr": "Nom de l'initiative", "en": "Name of the initiative"},
    "f_text": {
        "fr": "Votre projet en quelques lignes : quoi, pour qui, avec qui",
        "en": "Your project in a few lines: what, for whom, with whom",
    },
    "f_porteur": {"fr": "Qui porte le projet ?", "en": "Who carries the project?"},
    "f_organisation": {"fr": "Organisation (si vous en avez une)", "en": "Organisation (if any)"},
    "f_quartier": {"fr": "Quartier", "en": "Neighbourhood"},
    "f_themes": {"fr": "Thèmes", "en": "Themes"},
    "f_prioritaire": {
        "fr": "Le projet a lieu dans un quartier prioritaire",
        "en": "The project takes place in a priority neighbourhood",
    },
    "f_montant": {"fr": "Montant demandé (en euros)", "en": "Amount requested (euros)"},
    "f_partenaires": {"fr": "Partenaires", "en": "Partners"},
    "required": {"fr": "Ce champ est obligatoire.", "en": "This field is required."},
    "too_long": {
        "fr": "Trop long : {limit} caractères au plus.",
        "en": "Too long: {limit} characters at most.",
    },
    "bad_amount": {
        "fr": "Écrivez un montant en euros, par exemple 1500.",
        "en": "Write an amount in euros, for example 1500.",
    },
    "bad_theme": {"fr": "Ce thème n'existe pas.", "en": "This theme does not exist."},
    "status_title": {"fr": "Statut de l'initiative", "en": "Status of the initiative"},
    "status_change": {"fr": "Changer le statut", "en": "Change the status"},
    "status_new": {"fr": "Nouveau statut", "en": "New status"},
    "status_saved": {"fr": "Statut changé : {status}.", "en": "Status changed: {status}."},
    "status_same": {"fr": "Le statut était déjà celui-là.", "en": "The status was already that."},
    "status_stale": {
        "fr": "La page a changé entre-temps : voici sa nouvelle version, recommencez.",
        "en": "The page changed meanwhile: here is its new version, try again.",
    },
    "status_summary": {"fr": "Statut : {old} → {new}", "en": "Status: {old} → {new}"},
    "not_initiative": {
        "fr": "Cette page n'est pas une initiative publiée.",
        "en": "This page is not a published initiative.",
    },
    "bad_filter": {
        "fr": "Filtre invalide : {name}={value}.",
        "en": "Invalid filter: {name}={value}.",
    },
    "bad_year": {
        "fr": "L'année doit être un nombre entre 1990 et 2100.",
        "en": "The year must be a number between 1990 and 2100.",
    },
    "unknown_year": {
        "fr": "Aucun appel ni aucune initiative pour l'année {year}.",
        "en": "No call and no initiative for the year {year}.",
    },
    "all_years": {"fr": "Toutes les années", "en": "All years"},
    "export": {"fr": "Télécharger en CSV", "en": "Download as CSV"},
    "dashboard": {"fr": "Tableau de bord", "en": "Dashboard"},
    "results": {"fr": "{count} initiative(s)", "en": "{count} initiative(s)"},
    "filters": {"fr": "Affiner", "en": "Narrow down"},
    "remove_filters": {"fr": "Retirer les filtres", "en": "Remove the filters"},
    "page_n": {"fr": "Page {page} sur {pages}", "en": "Page {page} of {pages}"},
    "previous": {"fr": "Précédentes", "en": "Previous"},
    "next": {"fr": "Suivantes", "en": "Next"},
    "yes": {"fr": "oui", "en": "yes"},
    "no": {"fr": "non", "en": "no"},
    "h_year": {"fr": "Année", "en": "Year"},
    "h_theme": {"fr": "Thème", "en": "Theme"},
    "h_quartier": {"fr": "Quartier", "en": "Neighbourhood"},
    "h_status": {"fr": "Statut", "en": "Status"},
    "h_priority": {"fr": "Quartier prioritaire", "en": "Priority neighbourhood"},
    "h_title": {"fr": "Initiative", "en": "Initiative"},
    "h_porteur": {"fr": "Porteur", "en": "Carrier"},
    "h_count": {"fr": "Initiatives", "en": "Initiatives"},
    "c_year": {"fr": "Initiatives par année", "en": "Initiatives per year"},
    "c_theme": {"fr": "Initiatives par thème", "en": "Initiatives per theme"},
    "c_quartier": {"fr": "Initiatives par quartier", "en": "Initiatives per neighbourhood"},
    "c_status": {"fr": "Initiatives par statut", "en": "Initiatives per status"},
    "priority_share": {
        "fr": "Part des initiatives en quartier prioritaire : {share} ({count} sur {total}).",
        "en": "Share of initiatives in priority neighbourhoods: {share} ({count} of {total}).",
    },
    "completion": {
        "fr": "Taux de réussite : {rate} ({completed} réalisées sur {counted}).",
        "en": "Completion rate: {rate} ({completed} completed of {counted}).",
    },
    "completion_none": {
        "fr": "Taux de réussite : pas encore d'initiative retenue.",
        "en": "Completion rate: no selected initiative yet.",
    },
    "completion_definition": {
        "fr": "Le taux de réussite compte les initiatives réalisées parmi celles qui ont été "
        "retenues : réalisées ÷ (retenues + en cours + réalisées + abandonnées). Les "
        "initiatives seulement proposées n'y entrent pas.",
        "en": "The completion rate counts the completed initiatives among those that were "
        "selected: completed ÷ (selected + in progress + completed + abandoned). Initiatives "
        "only proposed are left out.",
    },
    "dates": {"fr": "Du {opens} au {closes}", "en": "From {opens} to {closes}"},
    "rules": {"fr": "Le règlement de l'appel", "en": "The call's rules"},
}


def say(key: str, **params: Any) -> str:
    """A text of :data:`TEXTS` in the reader's language (French first)."""
    return in_reader_language(TEXTS[key], **params)
