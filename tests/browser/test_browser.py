"""End-to-end tests: a real Chromium, driven by Playwright, against the real server.

The server is started once per test process with ``wikicoop run`` (gunicorn) on a free
port, on a fresh instance folder (fixtures in ``browser_support.py``, registered for the
folder by its ``conftest.py``). Residents click and type as they would: log in through the
form, create a page from the search box, preview, save, compare versions, edit at the same
time as someone else, restore an old version.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from browser_support import (  # noqa: F401  (re-exported for older imports)
    ADMIN,
    ADMIN_PASSWORD,
    CHROMIUM_ARGS,
    PLUGIN_MODERATOR_PATHS,
    PLUGIN_PATHS,
    RESIDENT_PASSWORD,
    ConsoleEntry,
    axe_path,
    click_tab,
    errors_on,
    expect,
    history_rows,
    log_in,
    open_edit_tab,
    open_history,
    page_path,
    register,
    save,
    shot,
    textarea,
    write_page,
)

# The browser checks the pages' HTML and scripts: they run in the SQLite pass. On
# PostgreSQL the same flows are covered through the Flask client (tests/web) and a real
# server by tests/web/test_server.py; this keeps CI under its 15 minutes.
pytestmark = [pytest.mark.browser, pytest.mark.any_database]


def test_home_page_licence_and_csp(new_page: Callable[..., Any], console_log: list[ConsoleEntry]):
    page = new_page()
    response = page.goto("/")
    assert response is not None and response.ok
    assert page.url.endswith("/wiki/Accueil")
    csp = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in csp and "script-src 'self'" in csp, csp

    expect(page.locator("article.wiki-page h1")).to_have_text("Accueil")
    expect(page.locator(".page-content")).to_contain_text("Bienvenue sur le wiki coopératif")
    footer_licence = page.locator("footer .licence-footer a[rel=license]")
    expect(footer_licence.first).to_be_visible()
    expect(footer_licence.last).to_have_text("CC BY-SA 4.0")
    assert "creativecommons.org" in (footer_licence.last.get_attribute("href") or "")
    badge = page.locator("footer .licence-footer img")
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", badge.element_handle())

    # the stylesheet is applied (a CSP-blocked sheet would leave the skip link visible)
    assert page.locator(".skip-link").evaluate("(el) => getComputedStyle(el).position") in {
        "absolute",
        "fixed",
    }
    page.wait_for_load_state("load")
    assert errors_on(console_log, "/wiki/Accueil") == []


def test_every_seed_page_loads_without_console_errors(
    new_page: Callable[..., Any], console_log: list[ConsoleEntry]
):
    """The seed pages use most of the syntax (tables, lists, categories): none may trip the
    CSP or log an error."""
    page = new_page()
    page.goto("/")
    page.get_by_role("navigation", name="Navigation du wiki").get_by_role(
        "link", name="Toutes les pages"
    ).click()
    tabs = page.get_by_role("navigation", name="Espaces de noms").get_by_role("link")
    namespace_urls = [tabs.nth(i).get_attribute("href") for i in range(tabs.count())]
    page_urls: list[str] = []
    for url in namespace_urls:
        page.goto(url or "")
        page_urls += page.locator("main ul.columns a").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
    assert len(page_urls) >= 20, page_urls  # the seed has 22 pages
    first = len(console_log)
    for url in page_urls:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
    errors = [entry for entry in console_log[first:] if entry.is_error()]
    assert errors == [], "\n".join(f"{e.url}: {e.text}" for e in errors)


def test_create_page_from_search_preview_and_red_link(new_page: Callable[..., Any]):
    page = new_page()
    log_in(page, ADMIN, ADMIN_PASSWORD)

    search = page.get_by_role("searchbox", name="Chercher une page")
    search.fill("Atelier d'écriture")
    search.press("Enter")
    expect(page.get_by_role("heading", name="Recherche")).to_be_visible()
    page.get_by_role("link", name="Créer la page « Atelier d'écriture »").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer « Atelier d'écriture »")

    textarea(page).click()
    textarea(page).press_sequentially(
        "## Nos rendez-vous\n\nChaque jeudi, voir [[Accueil]] et [[Page qui n'existe pas]].\n"
    )
    page.get_by_role("button", name="Prévisualiser").click()
    preview = page.locator("section.preview")
    expect(preview.get_by_role("heading", name="Nos rendez-vous")).to_be_visible()
    red = preview.locator("a.new")
    expect(red).to_have_text("Page qui n'existe pas")
    expect(preview.get_by_role("link", name="Accueil", exact=True)).not_to_have_class(
        re.compile(r"\bnew\b")
    )
    # the preview keeps the text in the form
    expect(textarea(page)).to_have_value(re.compile(r"\[\[Page qui n'existe pas\]\]"))

    save(page, "Première version")
    expect(page.locator(".flash-success")).to_contain_text("La page a été créée")
    expect(page.locator("article.wiki-page h1")).to_have_text("Atelier d'écriture")
    content = page.locator("article .page-content")
    expect(content.get_by_role("heading", name="Nos rendez-vous")).to_be_visible()
    expect(content).to_contain_text("Chaque jeudi")
    red = content.locator("a.new")
    expect(red).to_have_text("Page qui n'existe pas")
    assert "action=edit" in (red.get_attribute("href") or "")

    red.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer « Page qui n'existe pas »")
    expect(textarea(page)).to_be_visible()
    expect(textarea(page)).to_have_value("")


def test_history_compare_two_versions(admin_page: Any):
    page = admin_page
    title = "Journal du jardin"
    write_page(page, title, "Les tomates poussent lentement au potager.\n", "création")
    write_page(page, title, "Les tomates poussent vite au potager.\n", "plus vite")
    write_page(page, title, "Les tomates rouges poussent vite au potager.\n", "couleur")

    open_history(page, title)
    expect(page.get_by_text("3 versions au total.")).to_be_visible()
    rows = history_rows(page)
    expect(rows).to_have_count(3)
    # newest first: compare the first version (last row) with the latest (first row)
    rows.nth(2).locator("input[name=from]").check()
    rows.nth(0).locator("input[name=to]").check()
    expect(rows.nth(1).locator("input[name=from]")).not_to_be_checked()
    page.get_by_role("button", name="Comparer les versions choisies").click()

    expect(page).to_have_url(re.compile(r"action=diff"))
    diff = page.locator("table.diff-inline")
    expect(diff).to_be_visible()
    expect(diff.locator("del")).to_contain_text(["lentement"])
    expect(diff.locator("ins").first).to_contain_text(re.compile(r"rouges|vite"))
    inserted = " ".join(diff.locator("ins").all_inner_texts())
    assert "rouges" in inserted and "vite" in inserted, inserted

    page.get_by_role("link", name="Affichage côte à côte").click()
    side = page.locator("table.diff-side")
    expect(side).to_be_visible()
    expect(side.locator("del").first).to_contain_text("lentement")
    assert "rouges" in " ".join(side.locator("ins").all_inner_texts())
    expect(page.get_by_role("link", name="Affichage sur une colonne")).to_be_visible()


PARAGRAPHS = [
    "La fête du quartier aura lieu place du marché.",
    "Le repas partagé commence à midi sous les platanes.",
    "Chacun apporte un plat et une chaise.",
]


def test_simultaneous_edits_merge_then_conflict(new_page: Callable[..., Any], screenshot_dir: Path):
    """Two residents edit the same page at once: different paragraphs are merged; the same
    line is a conflict where both texts stay visible and nothing is lost (journey b)."""
    camille, dominique = new_page(), new_page()
    register(camille, "Camille")
    register(dominique, "Dominique")
    title = "Fête du quartier"
    write_page(camille, title, "\n\n".join(PARAGRAPHS) + "\n")

    # both open the edit form of the same version
    open_edit_tab(camille, title)
    open_edit_tab(dominique, title)
    camille_text = (
        textarea(camille)
        .input_value()
        .replace("place du marché", "place du marché, devant la mairie")
    )
    textarea(camille).fill(camille_text)
    save(camille, "lieu précisé")
    expect(camille.locator(".flash-success")).to_contain_text("enregistrées")

    dominique_text = (
        textarea(dominique)
        .input_value()
        .replace("un plat et une chaise", "un plat, une chaise et un verre")
    )
    textarea(dominique).fill(dominique_text)
    save(dominique, "apporter un verre")
    expect(dominique.locator(".flash")).to_contain_text("réunies")
    content = dominique.locator("article .page-content")
    expect(content).to_contain_text("devant la mairie")
    expect(content).to_contain_text("une chaise et un verre")

    # both change the same words differently: the second one gets the conflict
    open_edit_tab(camille, title)
    open_edit_tab(dominique, title)
    textarea(camille).fill(textarea(camille).input_value().replace("à midi", "à onze heures"))
    save(camille)
    expect(camille.locator(".flash-success")).to_be_visible()
    mine = textarea(dominique).input_value().replace("à midi", "à quatorze heures")
    textarea(dominique).fill(mine)
    save(dominique)
    conflict = dominique.locator("section.conflict")
    expect(conflict.get_by_role("heading", name=re.compile("Conflit"))).to_be_visible()
    expect(conflict).to_contain_text("Camille")
    expect(textarea(dominique)).to_have_value(mine.replace("\r\n", "\n"))
    expect(textarea(dominique)).to_have_value(re.compile("à quatorze heures"))
    # both texts are kept and shown side by side
    theirs = conflict.get_by_role("textbox", name="La version enregistrée entre-temps")
    expect(theirs).to_have_value(re.compile("à onze heures"))
    expect(conflict.get_by_role("textbox", name="Votre version")).to_have_value(
        re.compile("à quatorze heures")
    )
    dominique.set_viewport_size({"width": 1280, "height": 900})
    shot(dominique, screenshot_dir, "journey-conflict.png", doc=True, clip_to=conflict)
    # nothing was saved by the conflicting attempt
    camille.goto(page_path(title))
    expect(camille.locator("article .page-content")).to_contain_text("à onze heures")
    expect(camille.locator("article .page-content")).not_to_contain_text("quatorze heures")
    # Dominique keeps both times in the edit box and saves: the conflict is settled
    settled = mine.replace("à quatorze heures", "à onze heures (le café à quatorze heures)")
    textarea(dominique).fill(settled)
    save(dominique, "les deux horaires")
    expect(dominique.locator(".flash-success")).to_be_visible()
    content = dominique.locator("article .page-content")
    expect(content).to_contain_text("à onze heures (le café à quatorze heures)")
    expect(content).to_contain_text("devant la mairie")


def test_review_before_publication(new_page: Callable[..., Any], admin_page: Any):
    """A resident's help page waits in the queue; a moderator accepts it in one click."""
    resident, visitor = new_page(), new_page()
    register(resident, "Élodie")
    title = "Aide:Relire une page"
    open_edit_tab(resident, title)
    textarea(resident).fill("Chaque page d'aide est relue avant d'être publiée.\n")
    save(resident, "première version")
    expect(resident.locator(".flash-success")).to_contain_text("relecture")
    expect(resident.locator(".banner-pending")).to_contain_text("En attente de relecture")

    visitor.goto(page_path(title))
    expect(visitor.locator("article .page-content")).to_have_count(0)

    admin_page.goto("/moderation")
    item = admin_page.locator(".queue-item", has_text=title)
    expect(item).to_contain_text("Élodie")
    expect(item).to_contain_text("relue avant")
    item.get_by_role("button", name="Accepter").click()
    expect(admin_page.locator(".flash-success")).to_contain_text("publique")

    visitor.goto(page_path(title))
    expect(visitor.locator("article .page-content")).to_contain_text("relue avant")


def test_community_tools_from_the_running_server(
    new_page: Callable[..., Any], admin_page: Any
) -> None:
    """Discussion, follow, notification, feed, report, block and audit log, in a browser."""
    resident = new_page()
    register(resident, "Yannick")
    title = "Repair café"
    write_page(admin_page, title, "Un samedi par mois, on répare ensemble.\n")

    # a thread in the page's discussion, signed and counted on the tab
    click_tab(resident, title, "Discussion")
    resident.get_by_label("Sujet").fill("Prochaine date")
    resident.get_by_label("Votre message").fill("Le prochain a lieu quand ?")
    resident.get_by_role("button", name="Envoyer", exact=True).click()
    thread = resident.locator(".thread", has_text="Prochaine date")
    expect(thread).to_contain_text("Yannick")
    resident.goto(page_path(title))
    expect(resident.locator(".discussion-tab")).to_contain_text("(1)")

    # following the page brings a notification when someone else changes it
    resident.get_by_role("button", name="Suivre cette page").click()
    expect(resident.locator(".flash-success")).to_contain_text("Vous suivez")
    write_page(admin_page, title, "Un samedi par mois, de 14 h à 17 h.\n")
    resident.goto("/notifications")
    expect(resident.locator("main")).to_contain_text(title)

    # the Atom feed announced in the head lists the change
    feed = resident.locator('link[rel="alternate"][type="application/atom+xml"]').first
    response = resident.request.get(feed.get_attribute("href"))
    assert response.ok and "application/atom+xml" in response.headers["content-type"]
    assert title in response.text()

    # a report goes to the moderators' queue
    resident.goto(page_path(title))
    resident.get_by_role("link", name="Signaler un problème").click()
    resident.get_by_label("Qu'est-ce qui ne va pas ?").fill("Horaires à vérifier")
    resident.get_by_role("button", name="Envoyer le signalement").click()
    expect(resident.locator(".flash-success")).to_contain_text("Merci")
    admin_page.goto("/moderation")
    report = admin_page.locator(".queue-item", has_text="Horaires à vérifier")
    report.get_by_role("button", name="Traité").click()
    expect(admin_page.locator(".flash-success")).to_contain_text("Signalement traité")

    # blocking: the resident can still read, but not write
    admin_page.goto("/utilisateur/Yannick/moderation")
    block_form = admin_page.locator(
        "form", has=admin_page.get_by_role("button", name="Bloquer ce compte")
    )
    block_form.get_by_label("Raison (obligatoire)").fill("test de blocage")
    block_form.get_by_role("button", name="Bloquer ce compte").click()
    expect(admin_page.locator(".flash-success")).to_contain_text("bloqué")
    response = resident.goto(page_path(title) + "?action=edit")
    assert response is not None and response.status == 403
    expect(resident.locator("main")).to_contain_text("test de blocage")
    resident.goto(page_path(title))
    expect(resident.locator("article .page-content")).to_contain_text("14 h")

    # every act is in the audit log
    admin_page.goto("/journal")
    expect(admin_page.locator("main")).to_contain_text("test de blocage")


def test_rejection_hiding_and_protection_from_the_running_server(
    new_page: Callable[..., Any], admin_page: Any
) -> None:
    """A rejected help page keeps its place, marked; a hidden version and a protected page."""
    resident, visitor = new_page(), new_page()
    register(resident, "Gwenaëlle")

    # rejection: the author sees their version marked, with the reason
    title = "Aide:Publicité"
    open_edit_tab(resident, title)
    textarea(resident).fill("Achetez nos produits !\n")
    save(resident)
    admin_page.goto("/moderation")
    item = admin_page.locator(".queue-item", has_text=title)
    item.get_by_label("Motif du refus").fill("Publicité")
    item.get_by_role("button", name="Refuser").click()
    expect(admin_page.locator(".flash-success")).to_contain_text("refusée")
    resident.goto(page_path(title) + "?action=history")
    expect(resident.locator("tr.revision-rejected")).to_contain_text("Publicité")

    # hiding: an abusive version disappears from the history without breaking it
    title = "Fanfare du quartier"
    write_page(admin_page, title, "La fanfare joue le dimanche.\n")
    write_page(admin_page, title, "Texte injurieux.\n")
    write_page(admin_page, title, "La fanfare joue le dimanche midi.\n")
    open_history(admin_page, title)
    row = history_rows(admin_page).nth(1)
    row.get_by_label("Motif").fill("injures")
    row.get_by_role("button", name="masquer").click()
    expect(admin_page.locator(".flash-success")).to_contain_text("Version masquée")
    visitor.goto(page_path(title) + "?action=history")
    expect(visitor.locator("tr.revision-hidden")).to_contain_text("Version masquée")
    expect(visitor.locator("table.history")).not_to_contain_text("injurieux")

    # protection: only moderators may edit afterwards
    admin_page.goto("/protection/" + quote(title.replace(" ", "_")))
    admin_page.get_by_label("Les modérateurs seulement").check()
    admin_page.get_by_label("Raison (obligatoire)").fill("page officielle")
    admin_page.get_by_role("button", name="Enregistrer la protection").click()
    expect(admin_page.locator(".flash-success")).to_contain_text("protection")
    resident.goto(page_path(title))
    nav = resident.get_by_role("navigation", name="Actions sur la page")
    expect(nav.get_by_role("link", name="Modifier", exact=True)).to_have_count(0)
    response = resident.goto(page_path(title) + "?action=edit")
    assert response is not None and response.status == 403
    expect(resident.locator("main")).to_contain_text("protégée")


def test_restore_old_version(admin_page: Any):
    page = admin_page
    title = "Marché de producteurs"
    write_page(page, title, "Le marché a lieu le samedi matin.\n", "création")
    write_page(page, title, "Le marché a lieu le dimanche soir.\n", "nouvel horaire")

    open_history(page, title)
    expect(page.get_by_text("2 versions au total.")).to_be_visible()
    history_rows(page).nth(1).get_by_role("link", name="rétablir").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rétablir la version")
    page.get_by_label("Raison (facultative)").fill("retour à l'horaire d'origine")
    page.get_by_role("button", name="Rétablir cette version").click()

    expect(page.locator(".flash-success")).to_contain_text("a été rétablie")
    content = page.locator("article .page-content")
    expect(content).to_contain_text("le samedi matin")
    expect(content).not_to_contain_text("dimanche")

    open_history(page, title)
    expect(page.get_by_text("3 versions au total.")).to_be_visible()
    expect(history_rows(page)).to_have_count(3)
    expect(history_rows(page).first).to_contain_text("restauration")
    expect(history_rows(page).first).to_contain_text("retour à l'horaire d'origine")


def test_screenshots(admin_page: Any, screenshot_dir: Path):
    page = admin_page
    page.set_viewport_size({"width": 1280, "height": 900})
    # the folder's modules share one server: no title another test types the start of
    # (test_editor_in_browser.py picks « Jardin partagé des Capucins » from suggestions)
    title = "Potager des Tilleuls"
    write_page(
        page,
        title,
        "Le jardin partagé est ouvert à tous.\n\n## Horaires\n\n"
        "- mercredi après-midi\n- samedi matin\n\nVoir aussi [[Accueil]] et [[Compost]].\n",
    )
    write_page(
        page,
        title,
        "Le jardin partagé est ouvert à toutes et à tous.\n\n## Horaires\n\n"
        "- mercredi après-midi\n- samedi toute la journée\n\n"
        "Voir aussi [[Accueil]] et [[Compost]].\n",
    )
    shots = {
        "page-view.png": page_path(title),
        "edit-form.png": page_path(title) + "?action=edit",
        "diff.png": page_path(title) + "?action=diff",
        "diff-side.png": page_path(title) + "?action=diff&view=side",
    }
    for name, url in shots.items():
        page.goto(url)
        page.screenshot(path=str(screenshot_dir / name), full_page=True)
    paths = [screenshot_dir / name for name in shots]
    assert all(p.stat().st_size > 5000 for p in paths)
    print("screenshots:", *paths, sep="\n  ")


def test_accessibility_axe(new_page: Callable[..., Any], admin_state: dict[str, Any]):
    axe = axe_path()
    # axe is injected as an inline script: this context alone bypasses the CSP
    page = new_page(storage_state=admin_state, bypass_csp=True)
    report: list[str] = []
    critical: list[str] = []
    # home, editor, history, search and the queue: test_axe_themes.py, in both themes
    pages = (
        "/wiki/Accueil?action=info",
        "/wiki/Aide:Listes_et_tableaux",
        "/signaler/Accueil",
        *PLUGIN_PATHS,
        *PLUGIN_MODERATOR_PATHS,
    )
    for url in pages:
        response = page.goto(url)
        # a page that is missing (a seed example renamed) would be checked as a 404 page
        assert response is not None and response.status == 200, (url, response and response.status)
        page.add_script_tag(path=str(axe))
        # only the violations: collecting the passes doubles axe's time
        result = page.evaluate(
            "() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'best-practice'],"
            " resultTypes: ['violations']})"
        )
        for violation in result["violations"]:
            line = (
                f"{url}: [{violation['impact']}] {violation['id']} "
                f"({len(violation['nodes'])} node(s)): {violation['help']}"
            )
            report.append(line)
            if violation["impact"] in {"critical", "serious", "moderate"}:
                critical.append(line)
    print(f"axe violations on {len(pages)} pages:", *report, sep="\n  ")
    assert critical == [], "\n".join(critical)


def test_no_csp_violation_in_session(console_log: list[ConsoleEntry], live_server: str):
    """Runs last (conftest.py puts it at the end): no page visited by any test of this
    session, in any module of the folder, reported a CSP violation or a script error."""
    del live_server
    violations = [entry for entry in console_log if entry.is_csp_violation()]
    assert violations == [], "\n".join(f"{e.url}: {e.text}" for e in violations)
    assert [e for e in console_log if e.kind == "pageerror"] == []
