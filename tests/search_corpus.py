"""A reproducible French wiki corpus for search tests and benchmarks.

``generate_corpus(pages, seed=...)`` returns :class:`SearchDocument` objects for a wiki of
a French city's residents: public internet access points ("Papi") of neighbourhoods,
initiatives of the yearly call for projects, workshops, magazine articles, help pages,
categories, user, talk and portal pages, and a few English pages. The text has what
French search must cope with: accents, plurals, elisions (l'atelier, d'écriture, qu'il),
the ligature œ (œuvre, cœur), compound place names (Saint-Martin, Pen ar Créac'h).

Two parts:

- **fixed pages** (:func:`fixed_pages`): the targets of the judged queries of
  ``tests/unit/test_search_relevance.py`` (« Écrit public », « Papi Bellevue »,
  « Atelier wiki »…) and hand-written distractors that share some of their words
  (« Papi Saint-Martin » is hosted by « Médiathèque de Saint-Martin »), so that ranking,
  not mere matching, decides;
- **generated pages**: the rest, drawn with ``random.Random(seed)`` from a fixed
  vocabulary. Their titles never repeat a fixed title.

Same arguments, same corpus: nothing depends on the clock, the environment or set order.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from wikicoop.search.backend import SearchDocument

DEFAULT_SEED = 2012

#: the newest date of a generated page; the date-sort target is newer than all of them
NEWEST_GENERATED = datetime(2025, 11, 30, 18, 0, tzinfo=UTC)
OLDEST_GENERATED = datetime(2008, 1, 1, 9, 0, tzinfo=UTC)

LICENCES = ("CC-BY-SA-4.0", "CC-BY-4.0", "CC0-1.0", "CC-BY-NC-SA-4.0", "CC-BY-NC-4.0")
LICENCE_WEIGHTS = (60, 15, 10, 10, 5)

# --------------------------------------------------------------------------- vocabulary

# fmt: off
#: neighbourhoods whose Papi page is a fixed page (a target or a named distractor)
FIXED_QUARTIERS = (
    "Bellevue", "Kerourien", "Pontanézen", "Recouvrance", "Saint-Martin", "Lambézellec",
)
#: other neighbourhoods, for generated pages
QUARTIERS = (
    "Saint-Marc", "Kérédern", "Keranroux", "Kerbernier", "Quatre-Moulins", "Saint-Pierre",
    "Kerinou", "Bouguen", "Kergoat", "Quéliverzan", "Kerangoff", "Guelmeur",
    "Kerhallet", "Kerigonan", "Siam", "Kervallon", "Menez Paul", "Pen ar Créac'h", "Kérichen",
    "Cavale Blanche", "Valy Hir", "Lanrédec", "Kerourien-Est", "Saint-Pierre-Quilbignon",
)
ALL_QUARTIERS = FIXED_QUARTIERS + QUARTIERS
#: places that host a Papi or a workshop ("{host} de {quartier}")
HOSTS = (
    "le centre social", "la maison pour tous", "la maison de quartier", "le patronage laïque",
    "la bibliothèque", "le local associatif", "le foyer des jeunes travailleurs",
    "la mairie de quartier", "la résidence pour personnes âgées", "l'épicerie solidaire",
    "les bains-douches municipaux", "la salle paroissiale", "le centre d'hébergement",
)
PAPI_SERVICES = (
    "un accès libre et gratuit à internet", "une imprimante et un scanner",
    "de l'aide pour les démarches administratives en ligne", "des ordinateurs portables à prêter",
    "une connexion sans fil", "des séances d'initiation pour les débutants",
    "un accompagnement pour créer une adresse électronique", "des logiciels libres",
    "un poste adapté aux personnes malvoyantes", "des tablettes pour les plus jeunes",
)
PROJECTS = (
    "Radio de quartier", "Cartographie participative", "Repair café", "Carnet de voyage sonore",
    "Récits de vie des anciens", "Blog des collégiens", "Mémoire des chantiers navals",
    "Journal des habitants", "Grainothèque", "Ciné-débat", "Balades urbaines commentées",
    "Web-télé des jeunes", "Fab lab mobile", "Bibliothèque de rue", "Chorale numérique",
    "Jeux vidéo coopératifs", "Cuisine du monde", "Photographies de façades",
    "Contes en breton", "Défi des familles à énergie positive", "Vélo-école",
    "Recettes partagées", "Archives sonores du port", "Portraits d'habitants",
    "Écrans et parentalité", "Boîte à outils du bénévole", "Marche exploratoire des femmes",
    "Fresque murale", "Tiers-lieu des possibles", "Logiciels libres pour tous",
)
PROJECT_GOALS = (
    "donner la parole aux habitants", "réduire la fracture numérique",
    "faire connaître l'histoire du quartier", "créer du lien entre les générations",
    "apprendre à publier sur internet", "mettre en valeur les savoir-faire locaux",
    "rendre les démarches en ligne accessibles", "partager des ressources en commun",
    "ouvrir les équipements publics le soir", "accompagner les jeunes vers l'emploi",
)
ASSOCIATIONS = (
    "l'association Vivre la rue", "le collectif des habitants", "la maison de l'enfance",
    "l'amicale laïque", "le comité de quartier", "l'association des parents d'élèves",
    "l'atelier de réparation de vélos", "la régie de quartier", "le club des retraités",
    "l'association d'éducation populaire", "le centre d'animation", "la ludothèque",
)
WORKSHOP_KINDS = (
    "Atelier couture", "Atelier informatique", "Atelier radio", "Atelier généalogie",
    "Atelier cuisine", "Atelier cartographie", "Atelier tricot", "Atelier de conversation",
    "Atelier réparation de vélos", "Atelier code", "Atelier logiciels libres",
    "Atelier tablettes", "Atelier mémoire", "Atelier jeux de société", "Atelier bande dessinée",
    "Atelier musique assistée par ordinateur", "Atelier impression 3D", "Atelier chant",
)
WORKSHOP_ACTIVITIES = (
    "découvrir le traitement de texte", "retoucher des images", "monter un petit film",
    "enregistrer une émission", "écrire des textes courts", "créer un blog",
    "apprendre à se servir d'une tablette", "fabriquer des objets", "réparer ce qui est cassé",
    "chercher ses ancêtres dans les archives", "dessiner une carte du quartier",
    "protéger ses données personnelles", "échanger des trucs et astuces",
)
DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi")
HOURS = ("de 9 h à 12 h", "de 14 h à 17 h", "de 17 h 30 à 19 h", "de 10 h à 18 h", "de 18 h à 20 h")
HEADLINES = (
    "Retour sur la fête de quartier de {q}", "Portrait : {name}, bénévole à {q}",
    "Compte rendu de la réunion publique de {q}", "{q} : les habitants prennent la parole",
    "La semaine du numérique à {q}", "Un nouveau local associatif à {q}",
    "Rencontre avec les jeunes de {q}", "{q} en images", "Le marché de {q} fête ses dix ans",
    "Des bénévoles de {q} racontent leur engagement", "Vide-grenier de printemps à {q}",
    "Soirée de projection à {q}", "Les coulisses du carnaval de {q}",
    "Une fresque pour les murs de {q}", "À {q}, on répare au lieu de jeter",
)
FIRST_NAMES = (
    "Nolwenn", "Yann", "Maëlle", "Gwenaël", "Soazig", "Erwan", "Anaïs", "Loïc", "Morgane",
    "Youenn", "Chloé", "Tangi", "Rozenn", "Mathéo", "Agathe", "Ronan", "Léa", "Goulven",
    "Fatou", "Karim", "Inès", "Bastien", "Hélène", "Michel", "Françoise", "Jean-Yves",
)
THEMES = (
    "Numérique", "Culture", "Solidarité", "Éducation populaire", "Jeunesse", "Environnement",
    "Mémoire", "Citoyenneté", "Santé", "Économie sociale et solidaire", "Sport", "Seniors",
)
HELP_TOPICS = (
    "Modifier une page", "Mettre en forme le texte", "Insérer un tableau", "Renommer une page",
    "Suivre les modifications", "Annuler une modification", "Créer un compte",
    "Retrouver son mot de passe", "Signer dans une discussion", "Ajouter une catégorie",
    "Les espaces de noms", "Page de brouillon", "Importer un fichier", "Citer ses sources",
    "Règles de savoir-vivre", "Comparer deux versions", "Créer un portail",
)
CATEGORY_NAMES = (
    *(f"Initiatives {year}" for year in range(2008, 2026)),
    "Ateliers", "Initiatives", "Magazine", "Quartiers", "Numérique", "Culture", "Solidarité",
    "Jeunesse", "Seniors", "Éducation populaire", "Environnement", "Mémoire", "Services",
    "Logiciels libres", "Associations", "Équipements publics", "Biens communs",
)
#: English pages: (title template, sentences)
ENGLISH_TITLES = (
    "Digital inclusion in {q}", "Community radio in {q}", "Volunteering in {q}",
    "Neighbourhood festival in {q}", "Free software day in {q}", "Library hours in {q}",
    "Repair café in {q}", "Photo walk in {q}",
)
ENGLISH_SENTENCES = (
    "Residents meet every week to share skills and learn together.",
    "The project was funded by the yearly call for projects of the city.",
    "Volunteers help newcomers use computers, tablets and online services.",
    "Everything produced here is published under a Creative Commons licence.",
    "The neighbourhood centre lends laptops to families who need them.",
    "Young people recorded interviews with older residents about the harbour.",
    "Anyone can take part, whatever their level; no registration is needed.",
    "The team keeps a public log of meetings on the wiki.",
    "Children and parents built a map of the gardens and playgrounds.",
    "Local associations share rooms, tools and know-how.",
)
# --- generic sentences (any page), with elisions, plurals and œ words
SUBJECTS: tuple[tuple[str, bool], ...] = (
    ("Les habitants", True), ("L'association", False), ("Le centre social", False),
    ("Les bénévoles", True), ("L'équipe d'animation", False), ("Le conseil citoyen", False),
    ("Une dizaine de familles", True), ("Les jeunes du quartier", True),
    ("La maison pour tous", False), ("Les animateurs multimédia", True),
    ("Le collectif d'habitants", False), ("Depuis l'an dernier, la mairie de quartier", False),
    ("Les retraités du club", True), ("L'école élémentaire", False),
)
VERBS: tuple[tuple[str, str], ...] = (
    ("organise", "organisent"), ("propose", "proposent"), ("accueille", "accueillent"),
    ("anime", "animent"), ("prépare", "préparent"), ("soutient", "soutiennent"),
    ("a lancé", "ont lancé"), ("documente", "documentent"), ("partage", "partagent"),
    ("met en œuvre", "mettent en œuvre"), ("a imaginé", "ont imaginé"),
    ("raconte sur le wiki", "racontent sur le wiki"),
)
OBJECTS = (
    "une permanence d'accueil", "des visites du port", "une fête de fin d'année",
    "un repas partagé", "des rencontres entre voisins", "une exposition de portraits",
    "des cours d'initiation à l'informatique", "la bourse aux livres",
    "un concours de photographie",
    "des lectures à voix haute", "un chantier participatif", "des balades à vélo",
    "l'accueil des nouveaux arrivants", "un inventaire des arbres remarquables",
    "une soirée de contes", "des échanges de savoirs", "une collecte de vêtements",
    "des goûters intergénérationnels", "un tournoi de football", "la rédaction d'un journal",
)
COMPLEMENTS = (
    "le samedi matin", "depuis 2009", "avec le soutien de la ville",
    "près de l'arrêt du tramway", "deux fois par mois", "pendant les vacances scolaires",
    "en lien avec les écoles", "sans aucune subvention", "au cœur du quartier",
    "chaque premier mercredi du mois", "à la belle saison", "depuis la fermeture de l'arsenal",
    "grâce à une souscription", "au bord de la Penfeld", "avec les associations voisines",
    "en accès libre", "sur inscription auprès de l'accueil", "malgré la pluie de novembre",
)
EXTRA_SENTENCES = (
    "Tout le monde est le bienvenu, qu'il soit débutant ou confirmé.",
    "L'entrée est libre et l'on peut venir avec ses enfants.",
    "Les comptes rendus des réunions sont publiés sur le wiki sous licence libre.",
    "Chacun peut corriger ou compléter cette page : c'est une œuvre commune.",
    "On y parle aussi bien français que breton, anglais ou arabe.",
    "Les photographies ont été prises par les participants eux-mêmes.",
    "Il n'est pas nécessaire d'avoir un ordinateur chez soi pour participer.",
    "Les habitants disent qu'ils y ont appris à ne plus avoir peur de l'ordinateur.",
    "Le bilan de l'année est présenté lors de l'assemblée générale d'automne.",
    "Pour en savoir plus, il suffit de passer au local aux heures d'ouverture.",
    "Ce qu'on retient, c'est la bonne humeur et l'entraide entre voisins.",
    "Les élus sont venus voir le travail réalisé et ont promis d'y revenir.",
)
# fmt: on


# --------------------------------------------------------------------------- fixed pages


@dataclass(frozen=True)
class FixedPage:
    """A hand-written page: a judged query's target or a named distractor."""

    title: str
    text: str
    namespace: str = "main"
    categories: tuple[str, ...] = ()
    page_type: str = "page"
    language: str = "fr"
    #: None: a date drawn like a generated page's
    updated: datetime | None = None
    fields: dict[str, str] = field(default_factory=dict)


def _when(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 10, 30, tzinfo=UTC)


#: the newest page of the corpus (date-sort target)
NEWEST_TITLE = "Appel à projets 2025"

# fmt: off
_FIXED: tuple[FixedPage, ...] = (
    # ----- targets
    FixedPage(
        "Écrit public",
        "Une permanence d'écrivain public se tient chaque jeudi à la maison de quartier de "
        "Bellevue. Un écrivain public bénévole aide à rédiger les courriers administratifs, à "
        "remplir les formulaires et à constituer les dossiers en ligne. Les écrivains publics "
        "sont tenus à la confidentialité. L'écrit public est gratuit et ouvert à tous.",
        categories=("Services", "Bellevue"),
    ),
    FixedPage(
        "Papi Bellevue",
        "Le point d'accès public à internet de Bellevue est installé au centre social, place "
        "Napoléon III. On y trouve six ordinateurs, une imprimante et un scanner en libre "
        "accès. L'animatrice accompagne celles et ceux qu'il faut aider pour les démarches en "
        "ligne.",
        categories=("Papi", "Bellevue"), page_type="access_point",
        fields={"quartier": "Bellevue"},
    ),
    FixedPage(
        "Papi Kerourien",
        "Le Papi de Kerourien est ouvert à la maison pour tous. Quatre postes, une connexion "
        "sans fil et des séances d'initiation le mardi. Les jardiniers du quartier y "
        "préparent leurs affiches.",
        categories=("Papi", "Kerourien"), page_type="access_point",
        fields={"quartier": "Kerourien"},
    ),
    FixedPage(
        "Papi Kerourien-Est",
        "Le Papi de Kerourien-Est est ouvert au local associatif, à deux rues de Kerourien. "
        "À Kerourien-Est, les habitants viennent y imprimer leurs documents et apprendre à "
        "se servir d'une tablette.",
        categories=("Papi", "Kerourien-Est"), page_type="access_point",
        fields={"quartier": "Kerourien-Est"},
    ),
    FixedPage(
        "Papi Pontanézen",
        "À Pontanézen, le point d'accès public à internet se trouve au patronage laïque. "
        "Les enfants viennent y faire leurs devoirs après l'école.",
        categories=("Papi", "Pontanézen"), page_type="access_point",
        fields={"quartier": "Pontanézen"},
    ),
    FixedPage(
        "Papi Recouvrance",
        "Le Papi de Recouvrance est accueilli par l'association des habitants, rue de "
        "Saint-Malo. On y consulte ses courriels et on y imprime ses billets de train.",
        categories=("Papi", "Recouvrance"), page_type="access_point",
        fields={"quartier": "Recouvrance"},
    ),
    FixedPage(
        "Papi Saint-Martin",
        "Le Papi de Saint-Martin est installé à la médiathèque de Saint-Martin, au premier "
        "étage : la médiathèque prête aussi des liseuses et des tablettes.",
        categories=("Papi", "Saint-Martin"), page_type="access_point",
        fields={"quartier": "Saint-Martin"},
    ),
    FixedPage(
        "Papi Lambézellec",
        "Le point d'accès de Lambézellec a ouvert dans la mairie de quartier. Deux "
        "ordinateurs, dont un adapté aux personnes malvoyantes.",
        categories=("Papi", "Lambézellec"), page_type="access_point",
        fields={"quartier": "Lambézellec"},
    ),
    FixedPage(
        "Point d'accès public à internet",
        "Un point d'accès public à internet (Papi) est un lieu où chacun peut utiliser un "
        "ordinateur connecté, gratuitement ou presque, et trouver de l'aide. La ville en "
        "compte une centaine, accueillis par des centres sociaux, des bibliothèques, des "
        "associations et même des bains-douches : il y en a un à moins de 300 mètres de chez "
        "soi.",
        categories=("Papi", "Numérique"),
    ),
    FixedPage(
        "Atelier wiki",
        "Chaque mardi soir, l'atelier wiki apprend à écrire sur le wiki : créer une page, "
        "ajouter une photo, faire un lien. Les participants repartent avec leur première "
        "page publiée. L'atelier est animé par des contributeurs du wiki.",
        categories=("Ateliers", "Numérique"), page_type="workshop",
    ),
    FixedPage(
        "Atelier vidéo",
        "L'atelier vidéo de la maison pour tous initie au tournage et au montage : "
        "caméra, prise de son, montage sur logiciel libre. Les films sont projetés en fin "
        "d'année.",
        categories=("Ateliers", "Culture"), page_type="workshop",
    ),
    FixedPage(
        "Atelier photo",
        "L'atelier photo se retrouve le samedi pour des sorties dans le quartier : cadrage, "
        "lumière, retouche. Chaque photo retenue rejoint l'exposition de printemps.",
        categories=("Ateliers", "Culture"), page_type="workshop",
    ),
    FixedPage(
        "Atelier d'écriture de Recouvrance",
        "L'atelier d'écriture de Recouvrance réunit une dizaine d'habitants le lundi. On "
        "écrit des nouvelles, des souvenirs du port, des poèmes ; les textes sont lus à voix "
        "haute puis publiés sur le wiki. Les ateliers d'écriture sont gratuits.",
        categories=("Ateliers", "Recouvrance"), page_type="workshop",
    ),
    FixedPage(
        "Médiation numérique",
        "La médiation numérique accompagne les habitants vers les usages numériques : "
        "démarches en ligne, téléphone, messagerie. Les médiateurs numériques travaillent "
        "dans les Papi, les centres sociaux et les bibliothèques. Le numérique ne doit "
        "laisser personne de côté.",
        categories=("Numérique",),
    ),
    FixedPage(
        "Médiathèque de Saint-Martin",
        "La médiathèque de Saint-Martin prête des livres, des disques, des films et des "
        "jeux. Elle accueille le Papi du quartier et des lectures pour les tout-petits. "
        "Ouverte du mardi au samedi.",
        categories=("Équipements publics", "Saint-Martin"),
    ),
    FixedPage(
        "Médiathèque de Bellevue",
        "La médiathèque de Bellevue propose des livres en gros caractères, des journaux et "
        "un espace jeux vidéo.",
        categories=("Équipements publics", "Bellevue"),
    ),
    FixedPage(
        "Université populaire",
        "L'université populaire du pays de Brest propose des conférences gratuites, sans "
        "inscription ni diplôme : histoire, sciences, philosophie. Les universités "
        "populaires sont nées de l'éducation populaire.",
        categories=("Éducation populaire", "Culture"),
    ),
    FixedPage(
        "Jardins partagés de Kerourien",
        "Les jardins partagés de Kerourien occupent une ancienne pelouse au pied des "
        "immeubles. Chaque famille cultive sa parcelle et les outils sont en commun ; le "
        "jardin partagé organise une fête des récoltes en septembre.",
        categories=("Environnement", "Kerourien"), page_type="initiative",
        fields={"quartier": "Kerourien"},
    ),
    FixedPage(
        "Œuvres collectives",
        "Cette page recense les œuvres collectives nées dans les ateliers : fresques, films, "
        "livres écrits à plusieurs mains. Une œuvre collective appartient à tous ceux qui "
        "l'ont faite ; elle est publiée sous licence libre.",
        categories=("Culture", "Biens communs"),
    ),
    FixedPage(
        "Au cœur de Recouvrance",
        "Un reportage au cœur de Recouvrance, le quartier de la rive droite : ses escaliers, "
        "son pont levant, ses habitants qui ont vu le quartier changer. Les anciens racontent "
        "la vie d'avant-guerre.",
        categories=("Magazine", "Recouvrance"), page_type="article",
    ),
    FixedPage(
        "Animacoop",
        "Animacoop est une formation à l'animation de projets coopératifs : outils "
        "collaboratifs, gouvernance ouverte, facilitation. Elle réunit des acteurs de "
        "l'économie sociale et solidaire, des services publics et des élus.",
        categories=("Éducation populaire",),
    ),
    FixedPage(
        "Bureau libre",
        "Bureau libre est un cédérom de logiciels libres distribué à des milliers "
        "d'exemplaires : traitement de texte, navigateur, retouche d'images. Il a fait "
        "découvrir le logiciel libre à de nombreux habitants.",
        categories=("Logiciels libres", "Biens communs"),
    ),
    FixedPage(
        NEWEST_TITLE,
        "L'appel à projets 2025 « Pour un internet solidaire » est ouvert aux associations et "
        "aux collectifs d'habitants. Les dossiers se déposent en ligne avant le 15 mars.",
        categories=("Appel à projets", "Initiatives 2025"), page_type="initiative",
        updated=_when(2025, 12, 15),
    ),
    # ----- help pages (namespace help)
    FixedPage(
        "Aide:Écrire une page",
        "Pour écrire une page, cliquez sur « Créer » puis tapez votre texte. Une page de wiki "
        "se modifie à plusieurs : n'ayez pas peur de vous tromper, l'historique garde tout.",
        namespace="help", categories=("Aide",), page_type="help",
    ),
    FixedPage(
        "Aide:Choisir une licence",
        "Chaque page porte une licence Creative Commons. La licence par défaut est CC BY-SA : "
        "on peut réutiliser le texte en citant les auteurs et en le partageant sous la même "
        "licence. Les licences se choisissent à la création de la page.",
        namespace="help", categories=("Aide", "Biens communs"), page_type="help",
    ),
    FixedPage(
        "Aide:Créer un lien",
        "Un lien vers une autre page du wiki s'écrit entre doubles crochets. Un lien rouge "
        "mène à une page qui reste à écrire.",
        namespace="help", categories=("Aide",), page_type="help",
    ),
    FixedPage(
        "Aide:Ajouter une image",
        "Pour ajouter une image ou une photo, téléversez d'abord le fichier, en précisant sa "
        "licence, puis insérez-le dans la page.",
        namespace="help", categories=("Aide",), page_type="help",
    ),
    FixedPage(
        "Aide:Rechercher",
        "La recherche ignore les accents et les majuscules. Mettez des guillemets pour une "
        "expression exacte, un signe moins pour exclure un mot, OR pour l'un ou l'autre.",
        namespace="help", categories=("Aide",), page_type="help",
    ),
    # ----- categories
    FixedPage(
        "Catégorie:Papi",
        "Les points d'accès public à internet (Papi) de la ville, quartier par quartier.",
        namespace="category",
    ),
    FixedPage(
        "Catégorie:Ateliers",
        "Tous les ateliers : écriture, numérique, vidéo, photo, wiki, couture…",
        namespace="category",
    ),
    FixedPage(
        "Catégorie:Appel à projets",
        "Les pages de l'appel à projets annuel et les initiatives qu'il a soutenues.",
        namespace="category",
    ),
    # ----- English targets and distractors
    FixedPage(
        "Public internet access points in Brest",
        "Brest has about a hundred public internet access points, hosted by social centres, "
        "libraries, associations and even public baths. Anyone can use a computer there and "
        "get help with online forms.",
        categories=("Papi", "English"), language="en",
    ),
    FixedPage(
        "Wiki writing workshop",
        "Every Tuesday evening, the wiki writing workshop helps residents write their first "
        "page: how to create a page, add a picture and link pages together. Writing "
        "workshops are free and open to everyone.",
        categories=("Ateliers", "English"), language="en", page_type="workshop",
    ),
    FixedPage(
        "Photo workshop for teenagers",
        "A photo workshop for teenagers on Saturday afternoons: framing, light and editing. "
        "The best pictures are shown at the spring exhibition.",
        categories=("Ateliers", "English"), language="en", page_type="workshop",
    ),
    FixedPage(
        "Walking tour of Recouvrance",
        "A walking tour of Recouvrance, on the right bank: the stairs, the lifting bridge "
        "and the old streets. Residents of Recouvrance tell the story of their "
        "neighbourhood.",
        categories=("Recouvrance", "English"), language="en", page_type="article",
    ),
    # ----- other namespaces
    FixedPage(
        "Portail:Quartiers",
        "Le portail des quartiers : Bellevue, Kerourien, Pontanézen, Recouvrance, "
        "Saint-Martin, Lambézellec et les autres. Pour chacun, son Papi, ses ateliers et "
        "ses initiatives.",
        namespace="portal", categories=("Quartiers",), page_type="portal",
    ),
    FixedPage(
        "Discussion:Atelier wiki",
        "Faut-il déplacer l'atelier au mercredi ? Plusieurs participants travaillent le "
        "mardi soir. -- Nolwenn",
        namespace="talk",
    ),
    FixedPage(
        "Utilisateur:Rozenn",
        "J'anime l'atelier wiki et l'atelier d'écriture ; j'habite Recouvrance.",
        namespace="user",
    ),
    # ----- named distractors (share words with the targets)
    FixedPage(
        "Écriture collective d'un conte",
        "Une vingtaine d'enfants ont imaginé un conte à plusieurs mains ; l'écriture s'est "
        "faite sur le wiki, un chapitre par semaine, avec le soutien de la bibliothèque.",
        categories=("Culture", "Jeunesse"), page_type="article",
    ),
    FixedPage(
        "Espace public numérique de Kerinou",
        "Un espace public numérique ouvre à Kerinou, avec un accès public à internet et des "
        "animations numériques pour les écoles.",
        categories=("Numérique", "Kerinou"),
    ),
    FixedPage(
        "Éducation populaire",
        "L'éducation populaire, c'est apprendre les uns des autres, hors de l'école. Les "
        "associations d'éducation populaire animent les maisons pour tous du quartier.",
        categories=("Éducation populaire",),
    ),
    FixedPage(
        "Université d'été de la coopération",
        "Chaque été, des rencontres réunissent des acteurs de la coopération pendant trois "
        "jours à l'université : ateliers, débats, retours d'expérience.",
        categories=("Éducation populaire",), page_type="article",
    ),
    FixedPage(
        "Fête des jardins",
        "La fête des jardins fait découvrir les jardins familiaux de la ville. Les goûters "
        "sont partagés sous les arbres et les graines sont échangées.",
        categories=("Environnement",), page_type="article",
    ),
    FixedPage(
        "Partage de savoirs",
        "Le réseau d'échanges réciproques de savoirs : chacun partage ce qu'il sait faire, "
        "du jardinage à la cuisine en passant par l'informatique.",
        categories=("Solidarité",),
    ),
    FixedPage(
        "Centre social de Bellevue",
        "Le centre social de Bellevue accueille le Papi du quartier, une halte-garderie, "
        "des cours de français et l'écrivain public le jeudi.",
        categories=("Équipements publics", "Bellevue"),
    ),
    FixedPage(
        "Mettre en œuvre un projet",
        "Comment mettre en œuvre un projet d'habitants : trouver des partenaires, demander "
        "une salle, rédiger un budget. La mise en œuvre demande souvent plus de temps qu'on "
        "ne le pense.",
        categories=("Initiatives",),
    ),
    FixedPage(
        "Atelier numérique de Pontanézen",
        "L'atelier numérique de Pontanézen aide les parents à suivre la scolarité en ligne "
        "et les jeunes à préparer leur CV.",
        categories=("Ateliers", "Pontanézen"), page_type="workshop",
    ),
)
# fmt: on


def _yearly_calls() -> tuple[FixedPage, ...]:
    """One page per year of the call for projects (2008-2024), each dated in its year."""
    pages = []
    for year in range(2008, 2025):
        pages.append(
            FixedPage(
                f"Appel à projets {year}",
                f"L'appel à projets {year} a retenu une trentaine d'initiatives d'habitants, "
                f"dont la moitié dans les quartiers prioritaires. Le jury s'est réuni en juin "
                f"{year} ; le bilan est publié sur le wiki.",
                categories=("Appel à projets", f"Initiatives {year}"),
                page_type="initiative",
                updated=_when(year, 6, 20),
            )
        )
    return tuple(pages)


def fixed_pages() -> tuple[FixedPage, ...]:
    """Every hand-written page: targets, named distractors, one page per yearly call."""
    return _FIXED + _yearly_calls()


# --------------------------------------------------------------------------- generator


def _at(place: str) -> str:
    """``"le centre social"`` -> ``"au centre social"``; ``"la …"`` -> ``"à la …"``."""
    for article, contracted in (("le ", "au "), ("les ", "aux ")):
        if place.startswith(article):
            return contracted + place[len(article) :]
    return "à " + place


def _of(place: str) -> str:
    """``"le centre social"`` -> ``"du centre social"``; ``"la …"`` -> ``"de la …"``."""
    for article, contracted in (("le ", "du "), ("les ", "des ")):
        if place.startswith(article):
            return contracted + place[len(article) :]
    return "de " + place


def _bare(place: str) -> str:
    """``"l'épicerie solidaire"`` -> ``"Épicerie solidaire"`` (article dropped, capitalised)."""
    for article in ("le ", "la ", "les ", "l'"):
        if place.startswith(article):
            place = place[len(article) :]
            break
    return place[0].upper() + place[1:]


def _fold_key(title: str) -> str:
    bare = unicodedata.normalize("NFKD", title.replace("œ", "oe").replace("Œ", "Oe"))
    return "".join(c for c in bare if not unicodedata.combining(c)).casefold()


class _Writer:
    """Sentences and pages drawn from the vocabulary with one ``random.Random``."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    # -- sentences
    def generic(self) -> str:
        rng = self.rng
        if rng.random() < 0.2:
            return rng.choice(EXTRA_SENTENCES)
        subject, plural = rng.choice(SUBJECTS)
        verb = rng.choice(VERBS)[1 if plural else 0]
        return f"{subject} {verb} {rng.choice(OBJECTS)} {rng.choice(COMPLEMENTS)}."

    def papi(self, quartier: str, host: str) -> str:
        rng = self.rng
        return rng.choice(
            (
                f"Le point d'accès public à internet de {quartier} est installé {_at(host)}.",
                f"On y trouve {rng.choice(PAPI_SERVICES)} et {rng.choice(PAPI_SERVICES)}.",
                f"Ouvert le {rng.choice(DAYS)} {rng.choice(HOURS)} et le {rng.choice(DAYS)} "
                f"{rng.choice(HOURS)}.",
                f"L'animateur aide celles et ceux qu'il faut accompagner pour "
                f"{rng.choice(WORKSHOP_ACTIVITIES)}.",
                f"Le Papi fait partie du réseau des points d'accès de la ville depuis "
                f"{rng.randint(1999, 2015)}.",
            )
        )

    def initiative(self, year: int, quartier: str) -> str:
        rng = self.rng
        return rng.choice(
            (
                f"Ce projet a été retenu par l'appel à projets {year} pour "
                f"{rng.choice(PROJECT_GOALS)}.",
                f"Porté par {rng.choice(ASSOCIATIONS)}, il veut {rng.choice(PROJECT_GOALS)} "
                f"à {quartier}.",
                f"Les habitants de {quartier} y ont consacré {rng.randint(2, 40)} soirées.",
                f"Le budget, {rng.randint(5, 80) * 100} euros, a servi à acheter du matériel.",
                "Les initiatives soutenues publient leur bilan sur le wiki.",
            )
        )

    def workshop(self, kind: str, place: str) -> str:
        rng = self.rng
        return rng.choice(
            (
                f"L'{kind[0].lower()}{kind[1:]} a lieu chaque {rng.choice(DAYS)} "
                f"{rng.choice(HOURS)} {_at(place)}.",
                f"Au programme : {rng.choice(WORKSHOP_ACTIVITIES)} et "
                f"{rng.choice(WORKSHOP_ACTIVITIES)}.",
                "Les ateliers sont gratuits ; il suffit de s'inscrire à l'accueil.",
                f"Il est ouvert à tous, débutants compris, dans la limite de "
                f"{rng.randint(6, 14)} places.",
            )
        )

    def article(self, quartier: str) -> str:
        rng = self.rng
        name = rng.choice(FIRST_NAMES)
        return rng.choice(
            (
                f"{name}, qui habite {quartier} depuis {rng.randint(3, 40)} ans, raconte : "
                f"« Ici, on se connaît tous. »",
                f"Plus de {rng.randint(2, 30) * 10} personnes sont venues ce jour-là.",
                f"Les photos de la journée sont sur le wiki, sous licence {rng.choice(LICENCES)}.",
                f"L'article a été écrit par {name} pour le magazine participatif.",
            )
        )

    def text(self, opening: str, kind_sentence, length: int) -> str:
        """``opening`` then paragraphs mixing kind sentences and generic ones."""
        rng = self.rng
        paragraphs = [opening]
        size = len(opening)
        while size < length:
            sentences = [
                kind_sentence() if rng.random() < 0.45 else self.generic()
                for _ in range(rng.randint(3, 6))
            ]
            paragraph = " ".join(sentences)
            paragraphs.append(paragraph)
            size += len(paragraph) + 1
        return "\n".join(paragraphs)


@dataclass
class _Draft:
    title: str
    namespace: str
    text: str
    categories: tuple[str, ...]
    page_type: str = "page"
    language: str = "fr"
    updated: datetime | None = None
    fields: dict[str, str] = field(default_factory=dict)


_KINDS = (
    ("access_point", 8),
    ("initiative", 22),
    ("workshop", 14),
    ("article", 24),
    ("place", 10),
    ("help", 3),
    ("category", 4),
    ("user", 5),
    ("talk", 4),
    ("portal", 1),
    ("english", 5),
)


class _Generator:
    def __init__(self, rng: random.Random, text_chars: int, taken: set[str]) -> None:
        self.rng = rng
        self.w = _Writer(rng)
        self.text_chars = text_chars
        self.taken = taken
        self.titles: list[str] = []  # generated main-namespace titles, for talk pages
        self.help_left = list(HELP_TOPICS)
        self.categories_left = [
            c for c in CATEGORY_NAMES if _fold_key(f"Catégorie:{c}") not in taken
        ]
        self.kinds = [k for k, _ in _KINDS]
        self.weights = [w for _, w in _KINDS]

    def length(self) -> int:
        low = int(self.text_chars * 0.7)
        high = int(self.text_chars * 1.3)
        return self.rng.randint(low, high)

    def unique(self, title: str, *alternatives: str) -> str:
        """The first free title of ``title`` and ``alternatives``, else ``title (2)``…

        Accents and case are ignored when comparing titles.
        """
        for candidate in (title, *alternatives):
            if _fold_key(candidate) not in self.taken:
                self.taken.add(_fold_key(candidate))
                return candidate
        candidate, n = title, 1
        while _fold_key(candidate) in self.taken:
            n += 1
            candidate = f"{title} ({n})"
        self.taken.add(_fold_key(candidate))
        return candidate

    def draft(self) -> _Draft:
        kind = self.rng.choices(self.kinds, self.weights)[0]
        if kind == "help" and not self.help_left:
            kind = "article"
        if kind == "category" and not self.categories_left:
            kind = "article"
        if kind == "talk" and not self.titles:
            kind = "place"
        return getattr(self, f"_{kind}")()

    # -- one method per kind
    def _access_point(self) -> _Draft:
        rng, w = self.rng, self.w
        quartier, hosts = rng.choice(QUARTIERS), rng.sample(HOSTS, len(HOSTS))
        by_title = {f"Papi {_of(h)} de {quartier}": h for h in hosts}
        title = self.unique(f"Papi {quartier}", *by_title)
        host = by_title.get(title, hosts[0])
        opening = (
            f"Le Papi de {quartier} est un point d'accès public à internet accueilli "
            f"{_at(host)}. {w.papi(quartier, host)}"
        )
        return _Draft(
            title, "main", w.text(opening, lambda: w.papi(quartier, host), self.length()),
            ("Papi", quartier), "access_point", fields={"quartier": quartier},
        )  # fmt: skip

    def _initiative(self) -> _Draft:
        rng, w = self.rng, self.w
        quartier, year = rng.choice(ALL_QUARTIERS), rng.randint(2008, 2025)
        project = rng.choice(PROJECTS)
        opening = (
            f"{project} est une initiative d'habitants de {quartier}, soutenue par l'appel "
            f"à projets {year}. {w.initiative(year, quartier)}"
        )
        return _Draft(
            self.unique(f"{project} ({quartier})", f"{project} ({quartier}, {year})"), "main",
            w.text(opening, lambda: w.initiative(year, quartier), self.length()),
            ("Initiatives", f"Initiatives {year}", rng.choice(THEMES)), "initiative",
            fields={"quartier": quartier, "annee": str(year)},
        )  # fmt: skip

    def _workshop(self) -> _Draft:
        rng, w = self.rng, self.w
        kind, quartier, host = rng.choice(WORKSHOP_KINDS), rng.choice(QUARTIERS), rng.choice(HOSTS)
        place = f"{host} de {quartier}"
        opening = f"{kind} à {quartier}. {w.workshop(kind, place)}"
        return _Draft(
            self.unique(f"{kind} de {quartier}", f"{kind} de {quartier} ({_bare(host).lower()})"),
            "main",
            w.text(opening, lambda: w.workshop(kind, place), self.length()),
            ("Ateliers", rng.choice(THEMES)), "workshop",
        )  # fmt: skip

    def _article(self) -> _Draft:
        rng, w = self.rng, self.w
        quartier = rng.choice(ALL_QUARTIERS)
        name = rng.choice(FIRST_NAMES)
        title = rng.choice(HEADLINES).format(q=quartier, name=name)
        years = rng.sample(range(2008, 2026), 3)
        title = self.unique(title, *(f"{title} ({year})" for year in years))
        opening = f"{title.split(' (')[0]}. {w.article(quartier)}"
        return _Draft(
            title, "main",
            w.text(opening, lambda: w.article(quartier), self.length()),
            ("Magazine", rng.choice(THEMES)), "article",
        )  # fmt: skip

    def _place(self) -> _Draft:
        rng, w = self.rng, self.w
        quartier, host = rng.choice(QUARTIERS), rng.choice(HOSTS)
        title = f"{_bare(host)} de {quartier}"
        opening = f"{_bare(host)} de {quartier} est un lieu de vie du quartier. {w.generic()}"
        return _Draft(
            self.unique(title), "main", w.text(opening, w.generic, self.length()),
            ("Équipements publics", quartier),
        )  # fmt: skip

    def _help(self) -> _Draft:
        topic = self.help_left.pop(self.rng.randrange(len(self.help_left)))
        w = self.w
        opening = f"Cette page d'aide explique comment {topic[0].lower()}{topic[1:]}."
        return _Draft(
            self.unique(f"Aide:{topic}"), "help",
            w.text(opening, w.generic, self.length() // 2), ("Aide",), "help",
        )  # fmt: skip

    def _category(self) -> _Draft:
        name = self.categories_left.pop(self.rng.randrange(len(self.categories_left)))
        text = f"Les pages de la catégorie {name}. {self.w.generic()}"
        return _Draft(self.unique(f"Catégorie:{name}"), "category", text, ())

    def _user(self) -> _Draft:
        rng = self.rng
        name = rng.choice(FIRST_NAMES)
        quartier = rng.choice(ALL_QUARTIERS)
        text = (
            f"Je m'appelle {name}, j'habite {quartier} et je contribue au wiki depuis "
            f"{rng.randint(2008, 2025)}. {self.w.generic()}"
        )
        initials = rng.sample("ABCDEFGHIJKLMNOPQRSTUVWYZ", 3)
        title = self.unique(
            f"Utilisateur:{name}", *(f"Utilisateur:{name} {letter}." for letter in initials)
        )
        return _Draft(title, "user", text, ())

    def _talk(self) -> _Draft:
        rng, w = self.rng, self.w
        about = rng.choice(self.titles)
        text = " ".join(
            f"{w.generic()} -- {rng.choice(FIRST_NAMES)}" for _ in range(rng.randint(2, 5))
        )
        return _Draft(self.unique(f"Discussion:{about}"), "talk", text, ())

    def _portal(self) -> _Draft:
        rng = self.rng
        quartier, *others = rng.sample(ALL_QUARTIERS, 4)
        title = self.unique(f"Portail:{quartier}", *(f"Portail:{q}" for q in others))
        quartier = title.split(":", 1)[1].split(" (")[0]
        text = f"Portail du quartier de {quartier} : Papi, ateliers, initiatives et magazine."
        text += " " + " ".join(self.w.generic() for _ in range(4))
        return _Draft(title, "portal", text, ("Quartiers",))

    def _english(self) -> _Draft:
        rng = self.rng
        quartier = rng.choice(ALL_QUARTIERS)
        title = rng.choice(ENGLISH_TITLES).format(q=quartier)
        sentences: list[str] = [f"{title}."]
        while sum(len(s) + 1 for s in sentences) < self.length():
            sentences.append(rng.choice(ENGLISH_SENTENCES))
        return _Draft(self.unique(title), "main", " ".join(sentences), ("English",), language="en")


def _random_date(rng: random.Random) -> datetime:
    span = int((NEWEST_GENERATED - OLDEST_GENERATED).total_seconds())
    return OLDEST_GENERATED + timedelta(seconds=rng.randrange(span))


def iter_corpus(
    pages: int = 300, *, seed: int = DEFAULT_SEED, text_chars: int = 900
) -> Iterator[SearchDocument]:
    """``pages`` documents (fixed pages first, then generated ones), lazily.

    ``text_chars`` is the average size of a generated page's text (±30 %); fixed pages
    keep their hand-written text plus generic sentences up to about half that size, so
    targets are not all much shorter than their neighbours. With ``pages`` below the
    number of fixed pages, only the first ``pages`` fixed pages are returned.
    """
    rng = random.Random(seed)
    writer = _Writer(rng)
    authors = tuple(f"{n}" for n in FIRST_NAMES)
    fixed = fixed_pages()
    taken = {_fold_key(p.title) for p in fixed}
    generator = _Generator(rng, text_chars, taken)
    for index in range(pages):
        page_id = index + 1
        if index < len(fixed):
            page = fixed[index]
            filler = []
            while sum(len(s) + 1 for s in filler) < text_chars // 2 and page.language == "fr":
                filler.append(writer.generic())
            draft = _Draft(
                page.title, page.namespace, "\n".join([page.text, " ".join(filler)]).strip(),
                page.categories, page.page_type, page.language,
                page.updated or _random_date(rng), dict(page.fields),
            )  # fmt: skip
        else:
            draft = generator.draft()
            draft.updated = _random_date(rng)
            if draft.namespace == "main":
                generator.titles.append(draft.title)
        yield SearchDocument(
            page_id=page_id,
            revision_id=page_id * 10 + rng.randint(1, 9),
            title=draft.title,
            namespace=draft.namespace,
            text=draft.text,
            categories=draft.categories,
            licence=rng.choices(LICENCES, LICENCE_WEIGHTS)[0],
            page_type=draft.page_type,
            language=draft.language,
            authors=tuple(rng.sample(authors, rng.randint(1, 3))),
            updated=draft.updated,
            fields=draft.fields,
        )


def generate_corpus(
    pages: int = 300, *, seed: int = DEFAULT_SEED, text_chars: int = 900
) -> list[SearchDocument]:
    """``pages`` documents: see :func:`iter_corpus`."""
    return list(iter_corpus(pages, seed=seed, text_chars=text_chars))


def titles_of(documents: Sequence[SearchDocument]) -> list[str]:
    """The titles of ``documents``, in order."""
    return [d.title for d in documents]


def made_up_words(count: int, *, letters: int = 6) -> list[str]:
    """``count`` distinct made-up words, "q" and ``letters`` letters ("qaaaaaa", "qaaaaab"…).

    No two share a stem: the worst case for an index, one posting list per word (a page
    of 250,000 of them, seven letters each, is the 2 MB page of issue 8, point 16).
    """
    alphabet = "abcdefghijklmnopqrstuvwxyz"
    words = []
    for n in range(count):
        word = ""
        for _ in range(letters):
            n, r = divmod(n, len(alphabet))
            word = alphabet[r] + word
        words.append("q" + word)
    return words


def huge_page_text(count: int = 250_000) -> tuple[str, list[str]]:
    """A page of ``count`` distinct made-up words, ten a line, and its words in order
    (2 MB less one byte for the default count: ``MAX_PAGE_BYTES`` allows it)."""
    words = made_up_words(count)
    lines = (" ".join(words[i : i + 10]) for i in range(0, count, 10))
    return "\n".join(lines), words
