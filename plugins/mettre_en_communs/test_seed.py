"""The example files and pages shipped with the plugin."""

from __future__ import annotations

from flask import Flask
from helpers import soup

from wikicoop.cli import cli as wikicoop_cli


def test_seed_files_and_the_page_embedding_them(media: Flask, client, runner) -> None:
    # load-seed uploads the example files too (the seed_loaded hook)
    assert runner.invoke(wikicoop_cli, ["load-seed"]).exit_code == 0
    result = runner.invoke(wikicoop_cli, ["commons", "seed-files"])
    assert result.exit_code == 0, result.output
    assert "0 fichier(s) d'exemple ajouté(s)." in result.output  # idempotent
    page = soup(client.get("/wiki/Le_jardin_partagé_en_images_(exemple)"))
    content = page.select_one(".page-content")
    images = content.select("img")
    assert len(images) == 2, content
    assert all(img["alt"] for img in images)
    assert content.select_one("figure figcaption").get_text().startswith("Le plan des bacs")
    assert content.select("a.mec-missing") == []
    link = content.select_one('a.mec-file-link[href$="/brut"]')
    assert link.get_text() == "Compte rendu de la réunion"
    described = client.get("/api/v1/files/Plan_du_jardin_partagé_(exemple).png").json
    assert described["license"] == "CC0-1.0"
    assert described["used_in"] == ["Le jardin partagé en images (exemple)"]
    help_page = client.get("/wiki/Aide:Fichiers_et_images")
    assert help_page.status_code == 200
    assert "vignette" in help_page.text
    gallery = soup(client.get("/fichiers"))
    assert len(gallery.select(".mec-gallery li")) == 3


def test_the_seed_files_command_uploads_what_is_missing(media: Flask, runner) -> None:
    result = runner.invoke(wikicoop_cli, ["commons", "seed-files"])
    assert result.exit_code == 0, result.output
    assert "3 fichier(s) d'exemple ajouté(s)." in result.output
    assert "Fichier:Plan du jardin partagé (exemple).png" in result.output


def test_loading_the_seed_without_the_plugins_tables_skips_the_files(app: Flask, runner) -> None:
    result = runner.invoke(wikicoop_cli, ["load-seed"])
    assert result.exit_code == 0, result.output
