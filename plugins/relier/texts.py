"""The plugin's words, French first and English too (a small table, like the magazine's:
pages pick the reader's language). The sentence of its one error code is registered
with the core's error messages and translated by the plugin's catalog (translations/).
"""

from __future__ import annotations

from typing import Any

from wikicoop.error_messages import register
from wikicoop.web.labels import N_, in_reader_language

register(
    {
        "relier-category-cycle": N_(
            "Cette catégorie ne peut pas être rangée ainsi : elle deviendrait sa propre "
            "sous-catégorie (%(cycle)s). Retirez l'une de ces catégories de la page ; "
            "votre texte est conservé ci-dessous."
        ),
    }
)


def _t(fr: str, en: str) -> dict[str, str]:
    return {"fr": fr, "en": en}


TEXTS: dict[str, dict[str, str]] = {
    "menu": _t("Réseau", "Network"),
    "not_installed": _t(
        "Les tables du réseau ne sont pas encore créées : un administrateur lance "
        "« wikicoop upgrade ».",
        "The network's tables are not created yet: an administrator runs “wikicoop upgrade”.",
    ),
    # the {{pages}} macro
    "macro_quotes": _t(
        "Macro « pages » : un guillemet n'est pas refermé.",
        "“pages” macro: a quotation mark is not closed.",
    ),
    "macro_unknown": _t(
        "Macro « pages » : le paramètre « {name} » n'existe pas (paramètres : {known}).",
        "“pages” macro: there is no parameter “{name}” (parameters: {known}).",
    ),
    "macro_field": _t(
        'Macro « pages » : champ="{value}" s\'écrit champ="nom=valeur".',
        '“pages” macro: champ="{value}" is written champ="name=value".',
    ),
    "macro_limit": _t(
        'Macro « pages » : limite="{value}" doit être un nombre de 1 à {high}.',
        '“pages” macro: limite="{value}" must be a number from 1 to {high}.',
    ),
    "macro_sort": _t(
        'Macro « pages » : tri="{value}" vaut « titre » ou « récent ».',
        '“pages” macro: tri="{value}" is “titre” (title) or “récent” (recent).',
    ),
    "macro_category": _t(
        "Macro « pages » : « {value} » n'est pas un nom de catégorie valable.",
        "“pages” macro: “{value}” is not a valid category name.",
    ),
    "macro_namespace": _t(
        "Macro « pages » : « {value} » n'est pas un espace de noms.",
        "“pages” macro: “{value}” is not a namespace.",
    ),
    "macro_no_session": _t(
        "(La liste des pages s'affichera une fois la page enregistrée.)",
        "(The list of pages will show once the page is saved.)",
    ),
    "macro_none": _t("Aucune page ne correspond pour l'instant.", "No page matches yet."),
    # interwiki
    "iw_title": _t("Liens interwiki", "Interwiki links"),
    "iw_intro": _t(
        "Un préfixe du tableau devant un titre fait un lien vers un autre wiki : "
        "[[wikipedia:Brest]] mène à l'article « Brest » de Wikipédia. $1 marque la place "
        "du titre dans l'adresse.",
        "A prefix of the table before a title links to another wiki: [[wikipedia:Brest]] "
        "leads to Wikipedia's “Brest” article. $1 marks where the title goes in the address.",
    ),
    "iw_prefix": _t("Préfixe", "Prefix"),
    "iw_url": _t("Adresse (avec $1)", "Address (with $1)"),
    "iw_example": _t("Exemple", "Example"),
    "iw_add": _t("Ajouter ou modifier un préfixe", "Add or change a prefix"),
    "iw_save": _t("Enregistrer", "Save"),
    "iw_remove": _t("Retirer", "Remove"),
    "iw_remove_label": _t("Retirer le préfixe {prefix}", "Remove the prefix {prefix}"),
    "iw_saved": _t("Préfixe « {prefix} » enregistré.", "Prefix “{prefix}” saved."),
    "iw_removed": _t("Préfixe « {prefix} » retiré.", "Prefix “{prefix}” removed."),
    "iw_unknown": _t("Le préfixe « {prefix} » n'existe pas.", "There is no prefix “{prefix}”."),
    "iw_bad_prefix": _t(
        "Un préfixe s'écrit avec des lettres sans accent, des chiffres et des tirets "
        "(32 au plus), par exemple « wikipedia-en ».",
        "A prefix is written with unaccented letters, digits and hyphens (32 at most), "
        "for example “wikipedia-en”.",
    ),
    "iw_namespace": _t(
        "Ce préfixe est le nom d'un espace du wiki (Aide, Catégorie, Portail…) : "
        "choisissez-en un autre.",
        "This prefix is the name of one of the wiki's namespaces (Aide, Catégorie, "
        "Portail…): choose another one.",
    ),
    "iw_bad_url": _t(
        "L'adresse commence par http:// ou https:// et contient $1, par exemple "
        "https://fr.wikipedia.org/wiki/$1.",
        "The address starts with http:// or https:// and holds $1, for example "
        "https://fr.wikipedia.org/wiki/$1.",
    ),
    # partner wikis
    "partners_title": _t("Wikis partenaires", "Partner wikis"),
    "partners_intro": _t(
        "Les dernières modifications des wikis voisins, relevées régulièrement.",
        "The latest changes of neighbouring wikis, gathered regularly.",
    ),
    "partners_none": _t("Aucun wiki partenaire pour l'instant.", "No partner wiki yet."),
    "partner_no_entries": _t("Rien de récent.", "Nothing recent."),
    "partner_waiting": _t(
        "Les nouvelles de ce wiki arrivent : revenez dans un instant.",
        "This wiki's news is on its way: come back in a moment.",
    ),
    "partner_down": _t(
        "Dernière mise à jour il y a {ago}, le wiki ne répond pas.",
        "Last updated {ago} ago, the wiki does not answer.",
    ),
    "partner_down_never": _t(
        "Le wiki ne répond pas pour l'instant.", "The wiki does not answer for now."
    ),
    "partner_updated": _t("Mis à jour il y a {ago}.", "Updated {ago} ago."),
    "partner_site": _t("Site du wiki", "Wiki's site"),
    "partner_add": _t("Ajouter un wiki partenaire", "Add a partner wiki"),
    "partner_name": _t("Nom", "Name"),
    "partner_site_url": _t("Adresse du site", "Site address"),
    "partner_feed_url": _t("Adresse du flux Atom ou RSS", "Atom or RSS feed address"),
    "partner_save": _t("Ajouter", "Add"),
    "partner_remove": _t("Retirer {name}", "Remove {name}"),
    "partner_added": _t("Wiki « {name} » ajouté.", "Wiki “{name}” added."),
    "partner_removed": _t("Wiki partenaire retiré.", "Partner wiki removed."),
    "partner_bad_name": _t(
        "Donnez un nom de 1 à 120 caractères.", "Give a name of 1 to 120 characters."
    ),
    "partner_bad_url": _t(
        "Les adresses commencent par http:// ou https://.",
        "The addresses start with http:// or https://.",
    ),
    "partner_taken": _t("Un wiki porte déjà ce nom.", "A wiki already has this name."),
    # categories
    "cat_title": _t("Arbre des catégories", "Category tree"),
    "cat_intro": _t(
        "Une page de catégorie rangée dans une autre catégorie en devient une sous-catégorie.",
        "A category page put in another category becomes one of its sub-categories.",
    ),
    "cat_none": _t("Aucune catégorie pour l'instant.", "No category yet."),
    "cat_count": _t("{count} page(s)", "{count} page(s)"),
    "cat_loop": _t(
        "(boucle : cette catégorie est déjà plus haut)",
        "(loop: this category is already above)",
    ),
    "subcats": _t("Sous-catégories", "Sub-categories"),
    # what links here
    "links_title": _t("Pages liées à « {title} »", "Pages linking to “{title}”"),
    "links_count": _t("{count} page(s) font un lien ici.", "{count} page(s) link here."),
    "links_none": _t("Aucune page ne fait de lien ici.", "No page links here."),
    "links_redirect": _t("redirection", "redirect"),
    "links_via": _t("Pages liées par « {title} »", "Pages linking through “{title}”"),
    "links_action": _t("Liens vers cette page", "What links here"),
    # maintenance
    "maint_title": _t("Maintenance du réseau de pages", "Upkeep of the network of pages"),
    "maint_intro": _t(
        "Des listes pour relier les pages entre elles et les garder réutilisables.",
        "Lists to link pages together and keep them reusable.",
    ),
    "orphans": _t("Pages orphelines", "Orphan pages"),
    "orphans_intro": _t(
        "Aucune autre page ne fait de lien vers elles.", "No other page links to them."
    ),
    "wanted": _t("Pages demandées", "Wanted pages"),
    "wanted_intro": _t(
        "Pages qui n'existent pas encore, les plus demandées d'abord.",
        "Pages that do not exist yet, the most wanted first.",
    ),
    "deadends": _t("Pages en impasse", "Dead-end pages"),
    "deadends_intro": _t("Elles ne font de lien vers aucune page.", "They link to no page."),
    "attention": _t("Licence ou auteurs à vérifier", "Licence or authors to check"),
    "attention_intro": _t(
        "Pages dont la licence est inconnue ou dont aucun auteur n'est connu.",
        "Pages whose licence is unknown or whose authors are not known.",
    ),
    "reason_licence": _t("licence inconnue", "unknown licence"),
    "reason_author": _t("aucun auteur connu", "no known author"),
    "links_n": _t("{count} lien(s)", "{count} link(s)"),
    "list_none": _t("Rien à signaler.", "Nothing to report."),
    "total": _t("{count} page(s) en tout.", "{count} page(s) in all."),
    "previous": _t("Page précédente", "Previous page"),
    "next": _t("Page suivante", "Next page"),
    "bad_page": _t(
        "« page » est un nombre entier à partir de 1.", "“page” is a whole number from 1 on."
    ),
    # related pages and the graph
    "cousins": _t("Pages cousines", "Related pages"),
    "why_link": _t("lien commun", "shared link"),
    "why_direct": _t("lien direct", "direct link"),
    "why_category": _t("même catégorie", "same category"),
    "why_field": _t("même valeur", "same value"),
    "graph_title": _t("Réseau des pages", "Network of pages"),
    "graph_around": _t("Réseau autour de « {title} »", "Network around “{title}”"),
    "graph_desc": _t(
        "{nodes} pages et {edges} liens. La liste des mêmes pages suit le dessin.",
        "{nodes} pages and {edges} links. The list of the same pages follows the drawing.",
    ),
    "graph_form_page": _t("Autour de la page", "Around the page"),
    "graph_form_depth": _t("Profondeur (1 à 3)", "Depth (1 to 3)"),
    "graph_show": _t("Afficher", "Show"),
    "graph_open": _t("Ouvrir le dessin seul (liens cliquables)", "Open the drawing alone"),
    "graph_list": _t("Les pages du réseau", "The pages of the network"),
    "graph_truncated": _t(
        "Le réseau est coupé à {count} pages.", "The network is cut at {count} pages."
    ),
    "graph_links_to": _t("liée à", "linked to"),
    "bad_depth": _t("« depth » est un nombre de 1 à 3.", "“depth” is a number from 1 to 3."),
    "bad_limit": _t(
        "« limit » est un nombre entier de 1 à 50.", "“limit” is a whole number from 1 to 50."
    ),
    "unknown_page": _t("La page « {title} » n'existe pas.", "There is no page “{title}”."),
    "network_title": _t("Le réseau", "The network"),
    "portals": _t("Portails", "Portals"),
    "portals_none": _t(
        "Aucun portail pour l'instant : créez une page « Portail:… ».",
        "No portal yet: create a “Portail:…” page.",
    ),
    "network_intro": _t(
        "Portails, catégories, liens entre les pages et wikis voisins.",
        "Portals, categories, links between pages and neighbouring wikis.",
    ),
}


def say(key: str, **params: Any) -> str:
    """A text of :data:`TEXTS` in the reader's language (French outside a request)."""
    return in_reader_language(TEXTS[key], **params)
