"""The sentences of the services' error codes: one table, French source strings.

A service raises ``ServiceError("code", status=..., **params)`` and says nothing to
people; this table gives each code its sentence, with named placeholders filled from
the error's ``params``. The web layer translates it with Flask-Babel
(``web.localized(err)``); English, and any further language, come from the catalog, so a
new language needs only a catalog. The module imports no Flask: the CLI and the rendered
HTML (cached, language-neutral) use the French sentence, ``err.message``.

One code may have several sentences: the parameter ``variant`` picks ``"code:variant"``.
A parameter that is itself an error is shown as its own sentence, in the same language.

Other Flask-free texts (notifications, e-mails) use the same tools: ``N_`` to mark a
French sentence, :func:`catalog` to translate it into a given language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations


def N_(message: str) -> str:
    """Mark a sentence for extraction (pybabel); it is translated where it is shown."""
    return message


#: Shown for a code the table does not know (a plugin's, say): never a bare code.
UNKNOWN = N_("Action refusée (%(code)s).")

#: code (or ``code:variant``) -> French sentence, placeholders ``%(name)s``.
MESSAGES: dict[str, str] = {
    # structured page fields (page_types.py: FieldError, variant = the reason)
    "invalid-field": N_("Le champ « %(field)s » a une valeur invalide."),
    "invalid-field:unknown-type": N_("Type de page inconnu : %(value)s."),
    "invalid-field:not-an-object": N_("Les champs doivent être un objet JSON."),
    "invalid-field:unknown-field": N_("Le champ « %(field)s » n'existe pas pour ce type de page."),
    "invalid-field:required": N_("Le champ « %(field)s » est obligatoire."),
    "invalid-field:wrong-kind": N_(
        "Le champ « %(field)s » n'a pas la bonne forme (attendu : %(expected)s)."
    ),
    "invalid-field:single-line": N_("Le champ « %(field)s » tient sur une ligne."),
    "invalid-field:too-long": N_("Le champ « %(field)s » dépasse %(limit)s caractères."),
    "invalid-field:bad-number": N_("Le champ « %(field)s » attend un nombre."),
    "invalid-field:bad-date": N_("Le champ « %(field)s » attend une date (AAAA-MM-JJ)."),
    "invalid-field:bad-datetime": N_(
        "Le champ « %(field)s » attend une date et une heure (AAAA-MM-JJTHH:MM)."
    ),
    "invalid-field:bad-time": N_(
        "Le champ « %(field)s » contient une heure invalide (%(time)s) : écrivez HH:MM."
    ),
    "invalid-field:bad-day": N_("Le champ « %(field)s » contient un jour inconnu (%(day)s)."),
    "invalid-field:bad-slot": N_(
        "Le champ « %(field)s » attend des plages « début-fin », par exemple 09:00-12:30."
    ),
    "invalid-field:hours-order": N_(
        "Le champ « %(field)s » : la plage %(start)s-%(end)s finit avant de commencer."
    ),
    "invalid-field:hours-overlap": N_(
        "Le champ « %(field)s » : les plages %(first)s et %(second)s se chevauchent."
    ),
    "invalid-field:not-a-choice": N_("Le champ « %(field)s » n'offre pas le choix « %(value)s »."),
    "invalid-field:out-of-range": N_(
        "Le champ « %(field)s » : la latitude va de -90 à 90, la longitude de -180 à 180."
    ),
    "invalid-field:bad-url": N_(
        "Le champ « %(field)s » attend une adresse web (http:// ou https://)."
    ),
    "invalid-field:bad-email": N_("Le champ « %(field)s » attend une adresse électronique."),
    "invalid-field:bad-phone": N_("Le champ « %(field)s » attend un numéro de téléphone."),
    "invalid-field:bad-title": N_("Le champ « %(field)s » attend un titre de page valide."),
    # reading (visibility.py)
    "page-not-found": N_("La page « %(title)s » n'existe pas."),
    "not-published": N_("La page « %(title)s » n'a pas encore de version publiée."),
    "hidden": N_("Cette version a été masquée par un modérateur."),
    "unknown-revision": N_("La version n° %(id)s n'existe pas."),
    # imports (importing.py)
    "import-exists": N_(
        "La page « %(title)s » existe déjà ici : elle n'a pas été importée, pour ne rien écraser."
    ),
    "import-empty": N_("La page « %(title)s » n'a aucune version à importer."),
    "import-naive-date": N_(
        "Une version de la page « %(title)s » a une date sans fuseau horaire : elle n'a pas "
        "été importée."
    ),
    # titles (titles.py)
    "empty": N_(
        "Le titre est vide : indiquez un nom de page (après le préfixe comme « Aide: », "
        "s'il y en a un)."
    ),
    "forbidden-characters": N_(
        "Le titre contient un caractère interdit. Les caractères [ ] { } < > | et les "
        "caractères de contrôle ne sont pas permis."
    ),
    "forbidden-characters:char": N_(
        "Le titre contient un caractère interdit : « %(char)s ». Les caractères [ ] { } < > |"
        " ne sont pas permis."
    ),
    "forbidden-characters:control": N_(
        "Le titre contient un caractère de contrôle invisible (%(char)s). Les caractères de "
        "contrôle ne sont pas permis."
    ),
    "forbidden-characters:fragment": N_(
        "Le titre contient un caractère interdit : « # ». Une ancre vers une section (#…) "
        "n'est pas permise ici."
    ),
    "too-long": N_(
        "Le titre est trop long : raccourcissez-le (%(length)s octets pour %(limit)s "
        "octets au plus, sans compter un préfixe comme « Aide: »)."
    ),
    "too-long:talk": N_(
        "Le titre de la page de discussion est trop long, car celui de la page "
        "commentée l'est déjà (%(length)s octets pour %(limit)s octets au plus)."
    ),
    "relative": N_(
        "Le titre ne peut pas être un chemin relatif : « . » et « .. » ne sont pas permis "
        "comme titre ni comme segment entre des « / » (./…, ../…, …/./…, …/../…, …/., …/..)."
    ),
    "magic-tilde": N_(
        "Le titre ne peut pas contenir trois tildes à la suite (« ~~~ ») : ils sont réservés "
        "aux signatures."
    ),
    "invalid-utf8": N_(
        "Le titre contient un caractère illisible, souvent venu d'un copier-coller : retapez-le."
    ),
    "talk-namespace": N_(
        "Une page de discussion ne peut pas avoir elle-même de page de discussion : « "
        "Discussion:Discussion:… » n'est pas permis."
    ),
    "percent-escape": N_(
        "Le titre contient « %(escape)s », un code qui remplace un caractère dans les "
        "adresses web : écrivez le caractère lui-même."
    ),
    "html-entity": N_(
        "Le titre contient « %(entity)s », un code de page web : écrivez le caractère lui-même."
    ),
    "leading-colon": N_(
        "Le nom de la page ne peut pas commencer par « : », même après un préfixe comme « Aide: »."
    ),
    # accounts (accounts.py)
    "invalid-username": N_(
        "Le nom d'utilisateur doit faire de 3 à 64 caractères, sans [ ] { } < > | # / : @ ~ %% &."
    ),
    "unusable-username": N_("Nom d'utilisateur impossible : %(reason)s"),
    "invalid-email": N_("L'adresse e-mail n'est pas valide."),
    "unknown-role": N_("Rôle inconnu : %(role)s. Rôles possibles : %(roles)s."),
    "password-too-short": N_("Le mot de passe doit faire au moins %(min)s caractères."),
    "password-too-short:new": N_("Le nouveau mot de passe doit faire au moins %(min)s caractères."),
    "name-taken": N_("Le nom « %(name)s » est déjà pris."),
    "wrong-password": N_("Le mot de passe actuel n'est pas le bon."),
    # licences (licences.py)
    "unknown-licence": N_(
        "La licence « %(licence)s » n'existe pas sur ce wiki. Les licences possibles sont : "
        "%(licences)s."
    ),
    "licence-incompatible": N_(
        "Cette page ne peut pas passer de la licence %(old)s à la licence %(new)s : la "
        "licence %(old)s demande que toute version modifiée reste sous cette même licence, "
        "elle ne peut donc pas être changée."
    ),
    "licence-incompatible:attribution": N_(
        "Cette page ne peut pas passer de la licence %(old)s à la licence %(new)s : avec "
        "%(new)s, plus personne ne serait obligé de citer les auteurs, alors que chacun a "
        "écrit sous la licence %(old)s en demandant d'être cité."
    ),
    "licence-incompatible:non_commercial": N_(
        "Cette page ne peut pas passer de la licence %(old)s à la licence %(new)s : %(new)s "
        "permet de vendre le contenu ou de s'en servir pour gagner de l'argent, alors que la "
        "licence %(old)s l'interdit."
    ),
    "licence-incompatible:share_alike": N_(
        "Cette page ne peut pas passer de la licence %(old)s à la licence %(new)s : la "
        "licence %(old)s demande que toute version modifiée soit partagée sous la même "
        "licence, et %(new)s ne le demande plus."
    ),
    # search queries (search/)
    "no-words": N_("Tapez au moins un mot."),
    "only-exclusions": N_("Tapez au moins un mot à chercher, pas seulement des mots à exclure."),
    "too-common": N_("Ces mots sont trop courants pour être cherchés seuls : ajoutez-en un autre."),
    "unknown-filter": N_("Filtre inconnu : %(name)s"),
    # patrolling (changes.py)
    "not-published:patrol": N_(
        "La version n° %(id)s n'est pas publiée : seules les modifications publiées se "
        "vérifient (les autres passent par la relecture)."
    ),
    # community tools (community.py)
    "invalid-reason": N_("La raison doit être du texte."),
    "reason-required": N_("Indiquez la raison : elle est gardée dans le journal de modération."),
    "reason-too-long": N_("La raison fait %(length)s caractères ; %(max)s au plus."),
    "forbidden": N_("Vous n'avez pas le droit de faire cela."),
    "invalid-duration": N_("Durée inconnue. Durées possibles : %(durations)s."),
    "invalid-expiry": N_(
        "« expires_at » doit être une date ISO 8601 entre les années 1 et 9999, par exemple "
        "2030-01-31T12:00:00Z."
    ),
    "expiry-past": N_("La date de fin du blocage est déjà passée."),
    "expiry-past:expires_at": N_("« expires_at » : la date de fin du blocage est déjà passée."),
    "no-block": N_("Ce compte n'a pas de blocage en cours."),
    "block-self": N_("Vous ne pouvez pas bloquer votre propre compte."),
    "block-higher-role": N_("Un modérateur ne peut pas bloquer un administrateur."),
    "unblock-self": N_(
        "Vous ne pouvez pas lever votre propre blocage : demandez à un autre modérateur."
    ),
    "block-not-active": N_("Ce blocage n'est plus en cours (déjà levé ou arrivé à son terme)."),
    "invalid-protection": N_(
        "Niveau de protection inconnu. Niveaux possibles : « » (aucune), « trusted » "
        "(contributeurs confirmés), « moderators » (modérateurs)."
    ),
    "same-protection": N_("La page a déjà ce niveau de protection."),
    "invalid-trust": N_("Valeur inconnue. Valeurs possibles : auto, granted, withdrawn."),
    "trust-self": N_("Vous ne pouvez pas changer la confiance accordée à votre propre compte."),
    "same-trust": N_("Ce compte a déjà ce niveau de confiance."),
    "invalid-role": N_("Rôle inconnu. Rôles possibles : %(roles)s."),
    "same-role": N_("Ce compte a déjà ce rôle."),
    "last-admin": N_(
        "C'est le dernier administrateur du wiki : nommez d'abord un autre administrateur."
    ),
    # discussions (discussions.py)
    "control-characters:message": N_(
        "Le message contenait des caractères invisibles (caractères de contrôle) qui ne "
        "peuvent pas être enregistrés. Nous les avons retirés : relisez le texte et "
        "envoyez-le à nouveau."
    ),
    "invalid-utf8:message": N_(
        "Le message contient des caractères illisibles, souvent venus d'un "
        "copier-coller : retapez-les."
    ),
    "control-characters:subject": N_(
        "Le sujet contenait des caractères invisibles (caractères de contrôle) qui ne peuvent"
        " pas être enregistrés. Nous les avons retirés : relisez le texte et envoyez-le à "
        "nouveau."
    ),
    "invalid-utf8:subject": N_(
        "Le sujet contient des caractères illisibles, souvent venus d'un copier-coller "
        ": retapez-les."
    ),
    "control-characters:report": N_(
        "Le signalement contenait des caractères invisibles (caractères de contrôle) qui ne "
        "peuvent pas être enregistrés. Nous les avons retirés : relisez le texte et "
        "envoyez-le à nouveau."
    ),
    "invalid-utf8:report": N_(
        "Le signalement contient des caractères illisibles, souvent venus d'un "
        "copier-coller : retapez-les."
    ),
    "control-characters": N_(
        "Le texte contenait des caractères invisibles (caractères de contrôle) qui ne peuvent"
        " pas être enregistrés. Nous les avons retirés : relisez le texte et envoyez-le à "
        "nouveau."
    ),
    "invalid-text:message": N_("Le message doit être du texte."),
    "empty-text:message": N_("Le message est vide. Écrivez quelques mots avant d'envoyer."),
    "too-long:message": N_(
        "Le message est trop long : %(length)s caractères pour %(max)s au plus. "
        "Raccourcissez-le, ou découpez-le en plusieurs messages."
    ),
    "invalid-subject": N_("Le sujet doit être du texte."),
    "missing-subject": N_(
        "Donnez un sujet à la nouvelle discussion : une ligne qui dit de quoi vous voulez parler."
    ),
    "subject-too-long": N_(
        "Le sujet est trop long : %(length)s caractères pour %(max)s au plus. Gardez les "
        "détails pour le message."
    ),
    "invalid-thread": N_("Le numéro du fil de discussion doit être un nombre entier."),
    "login-required": N_("Connectez-vous pour écrire dans une discussion."),
    "unknown-thread": N_("Ce fil de discussion n'existe pas (ou plus)."),
    "foreign-thread": N_(
        "Ce fil de discussion appartient à la discussion d'une autre page : répondez depuis "
        "celle-ci."
    ),
    "closed-thread": N_(
        "Ce fil de discussion a été fermé par la modération : on ne peut plus y répondre."
    ),
    "not-author": N_("Seule la personne qui a écrit ce message peut le modifier."),
    "moderated": N_(
        "Ce message a été masqué ou refusé par la modération : il ne peut plus être modifié."
    ),
    "edit-expired": N_(
        "Ce message ne peut plus être modifié : un message se modifie pendant %(minutes)s "
        "minutes après son envoi. Vous pouvez écrire une réponse pour le compléter."
    ),
    "invalid-reason:report": N_("Choisissez la raison du signalement dans la liste."),
    "invalid-details": N_("Les précisions doivent être du texte."),
    "details-too-long": N_("Les précisions sont trop longues : %(max)s caractères au plus."),
    # the write path (revisions.py)
    "busy": N_("La page est modifiée par beaucoup de monde en ce moment : réessayez."),
    "page-renamed": N_(
        "La page « %(title)s » a été renommée en « %(new_title)s » pendant que vous écriviez "
        ": rien n'a été enregistré. Reprenez votre modification sur « %(new_title)s »."
    ),
    "page-renamed:just": N_("La page « %(title)s » vient d'être renommée en « %(new_title)s »."),
    "page-deleted": N_(
        "La page « %(title)s » a été supprimée. Un administrateur peut la rétablir."
    ),
    "page-deleted:review": N_("La page de cette version a été supprimée."),
    "invalid-text": N_("Le texte de la page doit être du texte."),
    "empty-text": N_("Le texte de la page est vide. Écrivez quelques mots avant d'enregistrer."),
    "too-large": N_(
        "Le texte est trop long : %(size)s octets pour %(max)s au plus. Découpez-le en "
        "plusieurs pages."
    ),
    "invalid-summary": N_("Le résumé de modification doit être du texte."),
    "summary-too-long": N_("Le résumé fait %(length)s caractères ; %(max)s au plus."),
    "invalid-revision": N_("Le numéro de version doit être un nombre entier."),
    "foreign-revision": N_("La version n° %(id)s n'appartient pas à la page « %(title)s »."),
    "hidden:base": N_(
        "Cette version a été masquée par un modérateur : repartez de la version actuelle de "
        "la page."
    ),
    "licence-change": N_(
        "La licence d'une page existante ne change pas en l'enregistrant : un modérateur peut"
        " la changer depuis la page « Auteurs et licence »."
    ),
    "already-current": N_("Cette version est déjà la version actuelle."),
    "restore-conflict": N_(
        "La page vient d'être modifiée aux mêmes endroits : rien n'a été rétabli. Relisez la "
        "nouvelle version, puis recommencez si besoin."
    ),
    "same-title": N_("Le nouveau titre est identique à l'ancien."),
    "title-taken": N_("Une page « %(title)s » existe déjà : choisissez un autre titre."),
    "already-deleted": N_("Cette page est déjà supprimée."),
    "not-deleted": N_("Cette page n'est pas supprimée."),
    "same-licence": N_("La page est déjà sous cette licence."),
    "invalid-utf8:text": N_(
        "Le texte contient des caractères illisibles, souvent venus d'un copier-coller "
        ": retapez-les."
    ),
    "invalid-utf8:summary": N_("Le résumé contient des caractères invalides."),
    "page-missing": N_(
        "La page « %(title)s » n'existe pas (ou plus) : impossible de partir d'une de ses versions."
    ),
    # review (review.py)
    "not-pending:published": N_(
        "La version n° %(id)s n'est plus en attente : elle a déjà été publiée."
    ),
    "comment-not-pending:published": N_("Ce message a déjà été traité : il est publié."),
    "not-pending:rejected": N_(
        "La version n° %(id)s n'est plus en attente : elle a déjà été refusée."
    ),
    "comment-not-pending:rejected": N_("Ce message a déjà été traité : il est refusé."),
    "not-pending:hidden": N_(
        "La version n° %(id)s n'est plus en attente : elle a déjà été masquée."
    ),
    "comment-not-pending:hidden": N_("Ce message a déjà été traité : il est masqué."),
    "not-pending": N_("La version n° %(id)s n'est plus en attente."),
    "comment-not-pending": N_("Ce message a déjà été traité."),
    "comment-changed": N_("Ce message est déjà masqué."),
    "reason-required:reject": N_("Donnez la raison du refus : l'auteur la recevra."),
    "reason-required:hide": N_("Donnez la raison pour laquelle cette version est masquée."),
    "reason-required:hide-comment": N_("Donnez la raison pour laquelle ce message est masqué."),
    "reason-required:report": N_("Dites en quelques mots ce qui ne va pas."),
    "newer-draft": N_(
        "L'auteur a continué cette version (n° %(newer_revision)s) : relisez plutôt la plus "
        "récente."
    ),
    "approve-conflict": N_(
        "La page a changé depuis que cette version a été écrite, et les deux modifications se"
        " touchent : impossible de l'accepter telle quelle. Refusez-la en expliquant "
        "pourquoi, ou reprenez la modification à la main."
    ),
    "hide-current": N_(
        "C'est la version que tout le monde lit : rétablissez d'abord une version précédente,"
        " puis masquez celle-ci."
    ),
    "not-hidden": N_("La version n° %(id)s n'est pas masquée."),
    "invalid-outcome": N_("Choisissez « traité » ou « rien à faire »."),
    "report-closed": N_("Ce signalement a déjà été traité (ou n'existe pas)."),
    "unknown-comment": N_("Le message n° %(id)s n'existe pas."),
    # blocks and protection (moderation.py)
    "blocked": N_(
        "Votre compte ne peut pas écrire sur le wiki sans date de fin. Motif : %(reason)s. "
        "Vous pouvez toujours lire les pages ; écrivez à un modérateur en cas d'erreur."
    ),
    "blocked:until": N_(
        "Votre compte ne peut pas écrire sur le wiki jusqu'au %(until)s. Motif : %(reason)s. "
        "Vous pouvez toujours lire les pages ; écrivez à un modérateur en cas d'erreur."
    ),
    "protected": N_(
        "Cette page est protégée : seuls les contributeurs confirmés peuvent la modifier. "
        "Proposez votre changement dans sa page de discussion."
    ),
    "protected:moderators": N_(
        "Cette page est protégée : seuls les modérateurs peuvent la modifier. Proposez votre "
        "changement dans sa page de discussion."
    ),
}


def register(messages: Mapping[str, str]) -> None:
    """Add the sentences of a plugin's codes (``code`` or ``code:variant`` -> French
    sentence, marked ``N_`` in the plugin so its catalog translates it).

    Registering a sentence again is harmless; giving a known code another sentence is a
    ``ValueError``: a code means one thing for every program that reads it.
    """
    clashes = [k for k, v in messages.items() if k in MESSAGES and MESSAGES[k] != v]
    if clashes:
        raise ValueError(f"error codes already have another sentence: {sorted(clashes)}")
    MESSAGES.update(messages)


class _Fields(dict):
    """Sentence fields: a parameter the raiser did not give shows as "?"."""

    def __missing__(self, key: str) -> str:
        return "?"


def message_key(code: str, params: Mapping[str, Any]) -> str:
    """The table key of an error: ``code``, or ``code:variant`` when that one exists."""
    variant = params.get("variant")
    if variant is not None and f"{code}:{variant}" in MESSAGES:
        return f"{code}:{variant}"
    return code


def template_of(code: str, params: Mapping[str, Any]) -> str:
    """The French sentence (with placeholders) of ``code``."""
    return MESSAGES.get(message_key(code, params), UNKNOWN)


def sentence(err: Any, translate: Callable[[str], str] | None = None) -> str:
    """The sentence of a coded error (``code``, ``params``), translated by ``translate``
    (French without one)."""
    params = getattr(err, "params", {}) or {}
    template = template_of(err.code, params)
    text = translate(template) if translate is not None else template
    fields = _Fields(code=err.code)
    for name, value in params.items():
        fields[name] = _shown(value, translate)
    return text % fields


def _shown(value: Any, translate: Callable[[str], str] | None) -> Any:
    """A parameter as a sentence shows it: an error as its sentence, a list joined."""
    if hasattr(value, "code") and hasattr(value, "params"):
        return sentence(value, translate)
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(str(item) for item in value)
    return value


TRANSLATIONS = Path(__file__).parent / "translations"


@cache
def catalog(language: str) -> NullTranslations:
    """The compiled catalog of ``language`` (French: none, the sentences are French)."""
    if language == "fr":
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [language])


def sentence_in(err: Any, language: str) -> str:
    """The sentence of ``err`` in ``language``, outside a request (CLI, tests, mails)."""
    return sentence(err, catalog(language).gettext)
