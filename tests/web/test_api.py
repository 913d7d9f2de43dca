"""The JSON API v1 (``wikicoop/views/api.py``), driven through HTTP like a program would.

Every call goes through :class:`Api`, which checks that the answer is JSON; writes use a
bearer token created with the real ``wikicoop token create`` command, or the session
cookie of a client logged in through the real form (plus the CSRF header).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient
from helpers import JSON_TYPE, TOKEN_RE, Api, bearer, cli_token, csrf_from, page_path, session_csrf
from sqlalchemy import select

import wikicoop
from wikicoop.cli import cli as wikicoop_cli
from wikicoop.community.accounts import find_user
from wikicoop.community.credentials import create_token
from wikicoop.core import revisions as rev
from wikicoop.core.history import history_rows
from wikicoop.core.models import ApiToken, Page, RenderCache
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session

# ----------------------------------------------------------------------------- helpers


def history_total(app: Flask, title: str) -> int:
    with app.app_context():
        page = rev.find_page(get_session(), parse_title(title))
        return 0 if page is None else history_rows(get_session(), page)[0]


def page_exists(app: Flask, title: str) -> bool:
    with app.app_context():
        return rev.find_page(get_session(), parse_title(title)) is not None


def delete_page(app: Flask, title: str, actor: str = "Admin") -> None:
    """Soft-delete a page through the service (the API has no delete)."""
    with app.app_context():
        session = get_session()
        user = find_user(session, actor)
        assert user is not None
        page = rev.find_page(session, parse_title(title))
        assert page is not None
        rev.delete_page(session, page=page, actor=user, reason="test")


def parse_ts(value: str) -> datetime:
    return datetime.fromisoformat(value)


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture
def alice(auth) -> str:
    auth.make_user("Alice")
    return "Alice"


@pytest.fixture
def api(client: FlaskClient, runner, alice) -> Api:
    """Alice's client, authenticated with a token from the CLI."""
    return Api(client, bearer(cli_token(runner, alice)))


@pytest.fixture
def bob_api(app: Flask, runner, auth) -> Api:
    """Bob, on a client of his own (separate cookie jar), with his own token."""
    auth.make_user("Bob")
    return Api(app.test_client(), bearer(cli_token(runner, "Bob")))


@pytest.fixture
def anon(app: Flask) -> Api:
    return Api(app.test_client())


@pytest.fixture
def small_app(app: Flask, make_app) -> Flask:
    """The wiki with MAX_PAGE_BYTES=1000 (so MAX_CONTENT_LENGTH = 2000 + 65536)."""
    return make_app(MAX_PAGE_BYTES=1000)


@pytest.fixture
def small_api(small_app: Flask, auth) -> Api:
    auth.make_user("Alice")
    runner = small_app.test_cli_runner()
    return Api(small_app.test_client(), bearer(cli_token(runner, "Alice")))


# ------------------------------------------------------------------- authentication


def test_cli_token_create_then_api_write(app, client, runner, auth):
    auth.make_user("Alice")
    result = runner.invoke(wikicoop_cli, ["token", "create", "Alice", "--label", "robot"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert TOKEN_RE.match(token)
    api = Api(client, {"Authorization": f"Bearer {token}"})
    body = api.put("Robot", {"text": "Écrit par un robot.", "base_revision": None}, 201)
    assert body.get_json()["revision"]["author"] == "Alice"
    with app.app_context():
        row = get_session().scalars(select(ApiToken)).one()
        assert row.name == "robot"
        assert token not in row.token_hash  # only the digest is stored
        assert row.last_used_at is not None


def test_cli_console_group_with_environment(app, client, auth, tmp_path: Path):
    """The ``wikicoop`` console group builds its own app from WIKICOOP_* variables."""
    auth.make_user("Alice")
    # the group's own factory, as the console script uses it; kept to dispose its engine
    info = ScriptInfo(create_app=wikicoop_cli.create_app)
    result = CliRunner().invoke(
        wikicoop_cli,
        ["token", "create", "Alice"],
        obj=info,
        env={
            "WIKICOOP_INSTANCE": str(tmp_path / "cli-instance"),
            "WIKICOOP_DATABASE_URL": app.config["DATABASE_URL"],
            "WIKICOOP_SEED_ON_FIRST_RUN": "false",
        },
    )
    cli_app = info.load_app()
    wikicoop.close_app(cli_app)
    assert cli_app is not app
    assert cli_app.instance_path == str(tmp_path / "cli-instance")
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert TOKEN_RE.match(token)
    api = Api(client, bearer(token))
    assert api.create("Par la console", "Bonjour.")["author"] == "Alice"


def test_cli_token_for_unknown_user_fails(runner):
    result = runner.invoke(wikicoop_cli, ["token", "create", "Personne"])
    assert result.exit_code != 0
    assert "Personne" in result.output


def test_bearer_scheme_is_case_insensitive(client, runner, alice):
    token = cli_token(runner, alice)
    api = Api(client, {"Authorization": f"bearer   {token}  "})
    api.create("Minuscules", "Texte.")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer wkc_not-a-real-token",
        "Bearer garbage",
        "Bearer " + "x" * 5000,
        "Bearer wkc_\u00e9t\u00e9",
    ],
)
def test_bad_bearer_token_is_401(app, client, header):
    api = Api(client, {"Authorization": header})
    body = api.put("Page", {"text": "x", "base_revision": None}, 401).get_json()
    assert "jeton" in body["error"].lower()
    assert not page_exists(app, "Page")


def test_revoked_token_is_401(app, client, runner, alice):
    token = cli_token(runner, alice)
    api = Api(client, bearer(token))
    api.create("Avant", "Texte.")
    with app.app_context():
        session = get_session()
        for row in session.scalars(select(ApiToken)):
            row.revoked = True
        session.commit()
    api.put("Après", {"text": "x", "base_revision": None}, 401)
    assert not page_exists(app, "Après")


def test_token_of_deactivated_account_is_401(app, client, runner, alice):
    token = cli_token(runner, alice)
    with app.app_context():
        session = get_session()
        find_user(session, "Alice").active = False
        session.commit()
    Api(client, bearer(token)).put("Page", {"text": "x", "base_revision": None}, 401)


def test_token_made_with_create_token_works(app, client, alice):
    with app.app_context():
        session = get_session()
        token, row = create_token(find_user(session, "Alice"), "service")
        session.add(row)
        session.commit()
    Api(client, bearer(token)).create("Service", "Texte.")


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("PUT", "", {"text": "Texte.", "base_revision": None}),
        ("POST", "/restore", {"revision": 1}),
    ],
)
def test_anonymous_write_without_credentials_is_401(app, anon, make_page, method, suffix, body):
    """A program with no cookie and no token is told to authenticate (not about CSRF)."""
    make_page("Existante", "Texte.")
    response = anon.call(method, page_path("Existante", suffix), 401, json_body=body)
    assert "connectez-vous" in response.get_json()["error"].lower()
    assert history_total(app, "Existante") == 1


def test_anonymous_write_with_csrf_token_is_401(app, client, make_page):
    """Even past the CSRF check, a visitor may not edit (ANONYMOUS_EDITING is off)."""
    make_page("Existante", "Texte.")
    csrf = csrf_from(client.get("/compte/connexion").text)
    anon = Api(client, {"X-CSRFToken": csrf})
    anon.put("Nouvelle", {"text": "x", "base_revision": None}, 401)
    anon.restore("Existante", {"revision": 1}, 401)
    assert not page_exists(app, "Nouvelle")


def test_anonymous_reads_are_allowed(anon, api):
    created = api.create("Publique", "Lisible par tous.")
    assert anon.page("Publique")["revision"]["id"] == created["id"]
    assert anon.history("Publique")["total"] == 1
    anon.get(page_path("Publique", "/backlinks"))
    anon.get(page_path("Publique", "/diff"), query={"from": created["id"], "to": created["id"]})


def test_cookie_write_with_csrf_header(app, client, auth):
    auth.login("Alice", client=client)
    csrf = session_csrf(client)
    api = Api(client, {"X-CSRFToken": csrf})
    created = api.create("Par cookie", "Texte.")
    assert created["author"] == "Alice"
    body = api.edit("Par cookie", "Texte modifié.", created["id"])
    assert body["revision"]["parent"] == created["id"]
    restored = api.restore("Par cookie", {"revision": created["id"]}, 200).get_json()
    assert restored["restored"] is True


@pytest.mark.parametrize("csrf", [None, "", "not-a-token"])
def test_cookie_write_without_valid_csrf_is_400(app, client, auth, csrf):
    auth.login("Alice", client=client)
    session_csrf(client)  # the session holds a real token
    headers = {} if csrf is None else {"X-CSRFToken": csrf}
    api = Api(client, headers)
    body = api.put("Sans jeton", {"text": "x", "base_revision": None}, 400).get_json()
    assert "CSRF" in body["error"]
    assert not page_exists(app, "Sans jeton")
    api.restore("Sans jeton", {"revision": 1}, 400)


def test_bearer_write_needs_no_csrf(app, api):
    assert "X-CSRFToken" not in api.headers
    api.create("Sans CSRF", "Texte.")
    assert page_exists(app, "Sans CSRF")


def test_bad_bearer_is_refused_even_with_a_session_cookie(app, client, auth):
    """An explicit but wrong credential must not fall back to the cookie (nor skip CSRF)."""
    auth.login("Alice", client=client)
    session_csrf(client)  # the session holds a real token
    api = Api(client, {"Authorization": "Bearer wkc_wrong"})
    api.put("Mélange", {"text": "x", "base_revision": None}, 401)
    assert not page_exists(app, "Mélange")


def test_bearer_token_wins_over_session_cookie(app, client, auth, runner):
    auth.login("Alice", client=client)
    session_csrf(client)  # the session holds a real token
    auth.make_user("Bob")
    api = Api(client, bearer(cli_token(runner, "Bob")))
    assert api.create("Qui écrit", "Texte.")["author"] == "Bob"


def test_anonymous_editing_setting(app, make_app):
    """With ANONYMOUS_EDITING, visitors may write, but a cookie write still needs CSRF."""
    # "open" moderation: the anonymous edit is published at once (tests of the default
    # policy, where it waits for review, are in test_moderation.py)
    open_app = make_app(ANONYMOUS_EDITING=True, MODERATION_DEFAULT="open")
    client = open_app.test_client()
    anon = Api(client)
    body = anon.put("Ouverte", {"text": "x", "base_revision": None}, 400).get_json()
    assert "CSRF" in body["error"]
    csrf = csrf_from(client.get("/compte/connexion").text)
    created = Api(client, {"X-CSRFToken": csrf}).create("Ouverte", "Écrit par un visiteur.")
    assert created["author"] == "127.0.0.1"


def test_contributor_may_not_touch_a_deleted_page(app, api, auth):
    auth.make_user("Admin", role="admin")
    rid = api.create("Effacée", "Texte.")["id"]
    delete_page(app, "Effacée")
    api.page("Effacée", 404)
    api.history("Effacée", 404)
    response = api.put("Effacée", {"text": "Nouveau.", "base_revision": rid})
    assert response.status_code in {403, 409}
    api.restore("Effacée", {"revision": rid}, 404)
    assert history_total(app, "Effacée") == 1


def test_admin_sees_a_deleted_page(app, client, runner, auth, api):
    auth.make_user("Admin", role="admin")
    rid = api.create("Effacée", "Texte.")["id"]
    delete_page(app, "Effacée")
    admin = Api(app.test_client(), bearer(cli_token(runner, "Admin")))
    assert admin.page("Effacée")["revision"]["id"] == rid
    assert admin.history("Effacée")["total"] == 1


# --------------------------------------------------------------------------- creation


def test_create_returns_201_and_records_everything(app, api):
    response = api.put(
        "Écrit public",
        {
            "text": "Bonjour **tout le monde**.",
            "summary": "Première version",
            "base_revision": None,
        },
        201,
    )
    body = response.get_json()
    assert body["created"] is True and body["changed"] is True and body["merged"] is False
    assert body["title"] == "Écrit public"
    revision = body["revision"]
    assert revision["parent"] is None
    assert revision["author"] == "Alice"
    assert revision["summary"] == "Première version"
    assert revision["minor"] is False
    assert revision["licence"] == "CC-BY-SA-4.0"
    assert revision["size"] == len(b"Bonjour **tout le monde**.\n")
    assert revision["action"] == "create"

    page = api.page("Écrit public")
    assert set(page) >= {"title", "namespace", "license", "text", "html", "revision"}
    assert page["title"] == "Écrit public"
    assert page["namespace"] == "main"
    assert page["license"] == "CC-BY-SA-4.0"
    assert page["text"] == "Bonjour **tout le monde**.\n"
    assert "<strong>tout le monde</strong>" in page["html"]
    assert page["latest_revision"] == revision["id"]
    assert set(page["revision"]) >= {"id", "author", "timestamp", "summary", "minor", "size"}
    assert page["revision"]["id"] == revision["id"]
    assert page["revision"]["size"] == revision["size"]
    assert history_total(app, "Écrit public") == 1


@pytest.mark.parametrize(
    ("field", "given", "stored"),
    [
        ("license", "CC-BY-4.0", "CC-BY-4.0"),
        ("licence", "CC0-1.0", "CC0-1.0"),
        ("license", "cc by-nc-sa 4.0", "CC-BY-NC-SA-4.0"),
        ("license", None, "CC-BY-SA-4.0"),
    ],
)
def test_create_records_the_licence(api, field, given, stored):
    created = api.create("Sous licence", "Texte.", **{field: given})
    assert created["licence"] == stored
    page = api.page("Sous licence")
    assert page["license"] == stored
    assert page["revision"]["licence"] == stored


def test_create_uses_the_configured_default_licence(app, auth, make_app):
    """WIKICOOP_DEFAULT_LICENCE is the licence of pages created without one."""
    other = make_app(DEFAULT_LICENCE="CC-BY-4.0")
    auth.make_user("Alice")
    token = cli_token(other.test_cli_runner(), "Alice")
    api = Api(other.test_client(), bearer(token))
    assert api.create("Défaut", "Texte.")["licence"] == "CC-BY-4.0"


def test_text_is_normalised(api):
    api.create("Normalisé", "ligne 1\r\nligne 2\rligne\x003   \n\n\n")
    assert api.page("Normalisé")["text"] == "ligne 1\nligne 2\nligne3\n"


def test_summary_is_one_line(api):
    created = api.create("Résumé", "Texte.", summary="  un\n\tdeux\x00 trois  ")
    assert created["summary"] == "un deux trois"


# ------------------------------------------------------------------------------ edits


def test_edit_returns_200_and_chains_parents(app, api):
    first = api.create("Chaîne", "Version 1.")
    second = api.edit("Chaîne", "Version 2.", first["id"], summary="deux", minor=True)
    assert second["created"] is False and second["changed"] is True
    assert second["merged"] is False
    assert second["revision"]["parent"] == first["id"]
    assert second["revision"]["minor"] is True
    assert second["revision"]["summary"] == "deux"
    assert second["revision"]["action"] == "edit"
    third = api.edit("Chaîne", "Version 3.", second["revision"]["id"])
    assert third["revision"]["parent"] == second["revision"]["id"]
    assert third["revision"]["id"] > second["revision"]["id"] > first["id"]
    page = api.page("Chaîne")
    assert page["text"] == "Version 3.\n"
    assert page["revision"]["id"] == third["revision"]["id"]
    history = api.history("Chaîne")
    assert [r["parent"] for r in history["revisions"]] == [
        second["revision"]["id"],
        first["id"],
        None,
    ]


def test_noop_edit_makes_no_revision(app, api):
    first = api.create("Immobile", "Même texte.")
    response = api.put("Immobile", {"text": "Même texte.\n\n", "base_revision": first["id"]}, 200)
    body = response.get_json()
    assert body["changed"] is False
    assert body["created"] is False
    assert body["revision"]["id"] == first["id"]
    assert history_total(app, "Immobile") == 1


def test_same_licence_on_existing_page_is_accepted(api):
    first = api.create("Licence stable", "Texte.", license="CC-BY-4.0")
    body = api.edit("Licence stable", "Texte 2.", first["id"], license="CC-BY-4.0")
    assert body["revision"]["licence"] == "CC-BY-4.0"


def test_licence_change_through_put_is_400(app, api):
    first = api.create("Licence figée", "Texte.")
    response = api.put(
        "Licence figée",
        {"text": "Autre.", "base_revision": first["id"], "license": "CC-BY-4.0"},
        400,
    )
    assert "licence" in response.get_json()["error"].lower()
    assert history_total(app, "Licence figée") == 1
    assert api.page("Licence figée")["license"] == "CC-BY-SA-4.0"


# ---------------------------------------------------------------- titles in the path


@pytest.mark.parametrize(
    ("path_title", "full", "namespace"),
    [
        ("Écrit public", "Écrit public", "main"),
        ("Écrit_public", "Écrit public", "main"),
        ("%C3%89crit_public", "Écrit public", "main"),
        ("%C3%A9crit%20public", "Écrit public", "main"),
        ("Aide:Écrire", "Aide:Écrire", "help"),
        ("Help:%C3%A9crire", "Aide:Écrire", "help"),
        ("aide:écrire", "Aide:Écrire", "help"),
        ("Catégorie:Lieux", "Catégorie:Lieux", "category"),
        ("Discussion:Aide:Écrire", "Discussion:Aide:Écrire", "talk"),
        ("Utilisateur:alice", "Utilisateur:Alice", "user"),
        ("Projet/Sous page", "Projet/Sous page", "main"),
        ("%E6%97%A5%E6%9C%AC%E8%AA%9E", "日本語", "main"),
        ("R&D", "R&D", "main"),
        ("E%CC%81crit_public", "Écrit public", "main"),  # NFD, composed to NFC
        ("%E2%80%8EAide:%C3%A9crire", "Aide:Écrire", "help"),  # a left-to-right mark
    ],
)
def test_titles_in_paths(client, api, path_title, full, namespace):
    raw_path = "/api/v1/pages/" + path_title
    body = api.call(
        "PUT", raw_path, 201, json_body={"text": "Contenu.", "base_revision": None}
    ).get_json()
    assert body["title"] == full
    page = api.page(full)  # the canonical title, percent-encoded by page_path
    assert page["title"] == full
    assert page["namespace"] == namespace
    assert page["revision"]["id"] == body["revision"]["id"]
    again = api.get(raw_path)
    assert again["revision"]["id"] == body["revision"]["id"]


def test_put_with_a_fragment_in_the_title_is_400(app, api):
    """``C%23`` is the title "C#", not the page "C": a write must not land on "C"."""
    api.create("C", "Le langage C.")
    body = api.call(
        "PUT",
        "/api/v1/pages/C%23",
        400,
        json_body={"text": "Le langage C dièse.", "base_revision": 1},
    ).get_json()
    assert "#" in body["error"]
    assert api.page("C")["text"] == "Le langage C.\n"
    assert history_total(app, "C") == 1


@pytest.mark.parametrize("suffix", ["history", "diff", "backlinks"])
def test_subpage_named_like_an_endpoint(app, api, suffix):
    """A page the API creates must be readable through the API (or refused at once)."""
    title = f"Notes/{suffix}"
    response = api.put(title, {"text": "Mes notes.", "base_revision": None})
    if response.status_code == 400:
        assert not page_exists(app, title)
        return
    assert response.status_code == 201
    assert api.page(title)["title"] == title


def test_alias_and_canonical_titles_are_the_same_page(app, api):
    created = api.create("Help:Premiers pas", "Bienvenue.")
    body = api.edit("Aide:Premiers_pas", "Bienvenue à tous.", created["id"])
    assert body["title"] == "Aide:Premiers pas"
    assert body["revision"]["parent"] == created["id"]
    assert api.page("aide:premiers pas")["text"] == "Bienvenue à tous.\n"
    assert history_total(app, "Aide:Premiers pas") == 2


@pytest.mark.parametrize(
    ("path_title", "fragment"),
    [
        ("A%3CB", "«\u00a0<\u00a0»"),
        ("A%7CB", "|"),
        ("A%5BB%5D", "["),
        ("A%7BB", "{"),
        ("~~~", "~~~"),
        ("Signé~~~~", "~~~"),
        ("A" * 256, "trop long"),
        ("%C3%89" * 128, "256 octets"),
        ("Aide:", "vide"),
        ("..", "relatif"),
        ("a/../b", "relatif"),
        ("A%2520B", "%20"),
        ("A%26eacute%3B", "&eacute;"),
        ("Discussion:Discussion:X", "discussion"),
        ("Aide::X", "« : »"),
        ("A%01B", "contrôle"),
        ("A%ED%A0%80B", "illisible"),
        ("A%FFB", "illisible"),
    ],
)
@pytest.mark.parametrize("endpoint", ["", "/history", "/backlinks", "PUT"])
@pytest.mark.any_database  # refused by the title's parsing, before any query
def test_invalid_titles_are_400_naming_the_rule(app, api, path_title, fragment, endpoint):
    if endpoint == "PUT":
        response = api.call(
            "PUT",
            "/api/v1/pages/" + path_title,
            400,
            json_body={"text": "x", "base_revision": None},
        )
    else:
        response = api.call("GET", "/api/v1/pages/" + path_title + endpoint, 400)
    message = response.get_json()["error"]
    assert message.startswith("Titre invalide")
    normalised = message.replace("\u202f", "\u00a0").replace(" ", "\u00a0").lower()
    assert fragment.replace(" ", "\u00a0").lower() in normalised, message
    with app.app_context():
        assert get_session().scalars(select(Page)).first() is None  # nothing written


# ------------------------------------------------------------------------- GET a page


def test_get_old_revision(api):
    first = api.create("Évolution", "Ancien texte.")
    second = api.edit("Évolution", "Nouveau texte.", first["id"])["revision"]
    old = api.get(page_path("Évolution"), query={"revision": first["id"]})
    assert old["text"] == "Ancien texte.\n"
    assert old["revision"]["id"] == first["id"]
    assert old["latest_revision"] == second["id"]
    assert "Ancien texte." in old["html"]
    current = api.page("Évolution")
    assert current["text"] == "Nouveau texte.\n"
    assert current["revision"]["id"] == second["id"]


def test_get_missing_page_is_404(api):
    body = api.page("Nulle part", 404)
    assert "Nulle part" in body["error"]


def test_get_unknown_revision_is_404(api):
    api.create("Page", "Texte.")
    body = api.get(page_path("Page"), 404, query={"revision": 987654})
    assert "987654" in body["error"]


@pytest.mark.parametrize("value", ["0", "-1", str(2**31), str(2**63 - 1), str(10**30)])
def test_get_out_of_range_revision_is_404(api, value):
    api.create("Page", "Texte.")
    api.get(page_path("Page"), 404, query={"revision": value})


def test_get_revision_of_another_page_is_400(api):
    other = api.create("Autre", "Texte de l'autre.")
    api.create("Page", "Texte.")
    body = api.get(page_path("Page"), 400, query={"revision": other["id"]})
    assert "n'appartient pas" in body["error"]


@pytest.mark.parametrize("value", ["abc", "1.5", "", "0x1", "1e3", "un"])
@pytest.mark.any_database  # refused by the parameter's parsing, before any query
def test_get_non_integer_revision_is_400(api, value):
    api.create("Page", "Texte.")
    body = api.get(page_path("Page"), 400, query={"revision": value})
    assert "nombre entier" in body["error"]


def test_page_html_is_sanitised(api):
    api.create("Piège", "Avant <script>alert(1)</script> après [lien](javascript:alert(2))")
    html = api.page("Piège")["html"]
    assert "<script" not in html.lower()
    assert "javascript:" not in html.lower()


def test_redirect_and_categories_are_reported(api):
    api.create("Ancien nom", "#REDIRECTION [[Nouveau nom]]\n[[Catégorie:Lieux]]")
    page = api.page("Ancien nom")  # the API does not follow redirects
    assert page["title"] == "Ancien nom"
    assert page["redirect"] == "Nouveau nom"
    assert page["categories"] == ["Lieux"]
    assert page["text"].startswith("#REDIRECTION")


# ----------------------------------------------------------------- render cache


def test_html_is_cached_per_revision(app, api):
    created = api.create("En cache", "Du **gras** et [[Ailleurs]].")
    first = api.page("En cache")
    second = api.page("En cache")
    assert first["html"] == second["html"]
    with app.app_context():
        row = get_session().get(RenderCache, created["id"])
        assert row is not None
        assert row.html == first["html"]


def test_render_cache_is_filled_on_first_view(app, api):
    created = api.create("Reconstruite", "Texte *important*.")
    with app.app_context():
        session = get_session()
        session.delete(session.get(RenderCache, created["id"]))
        session.commit()
    html = api.page("Reconstruite")["html"]
    assert "<em>important</em>" in html
    with app.app_context():
        row = get_session().get(RenderCache, created["id"])
        assert row is not None and row.html == html
    assert api.page("Reconstruite")["html"] == html


def test_link_colour_changes_when_target_is_created(api):
    api.create("Source", "Voir [[Cible]].")
    assert "wikilink new" in api.page("Source")["html"]
    api.create("Cible", "Je suis là.")
    html = api.page("Source")["html"]
    assert "wikilink new" not in html
    assert "/wiki/Cible" in html


# --------------------------------------------------------------- PUT: bad input


def _bad_body_cases() -> list[Any]:
    """(id, body builder from the current revision id, status, words in the message)."""
    return [
        pytest.param(lambda r: {"base_revision": r}, 400, "« text »", id="missing-text"),
        pytest.param(lambda r: {"text": "x"}, 400, "« base_revision »", id="missing-base"),
        pytest.param(lambda r: [], 400, "objet JSON", id="array"),
        pytest.param(lambda r: "texte", 400, "objet JSON", id="string"),
        pytest.param(lambda r: 42, 400, "objet JSON", id="number"),
        pytest.param(lambda r: None, 400, "objet JSON", id="null"),
        pytest.param(
            lambda r: {"text": "x", "base_revision": r, "minor": "yes"},
            400,
            "minor",
            id="minor-str",
        ),
        pytest.param(
            lambda r: {"text": "x", "base_revision": r, "minor": 1}, 400, "minor", id="minor-int"
        ),
        pytest.param(lambda r: {"text": 42, "base_revision": r}, 400, "texte", id="text-number"),
        pytest.param(lambda r: {"text": None, "base_revision": r}, 400, "texte", id="text-null"),
        pytest.param(lambda r: {"text": ["a"], "base_revision": r}, 400, "texte", id="text-list"),
        pytest.param(
            lambda r: {"text": {"a": 1}, "base_revision": r}, 400, "texte", id="text-object"
        ),
        pytest.param(
            lambda r: {"text": "x", "base_revision": r, "license": 5},
            400,
            "license",
            id="licence-number",
        ),
        pytest.param(
            lambda r: {"text": "x", "base_revision": r, "licence": ["CC0-1.0"]},
            400,
            "license",
            id="licence-list",
        ),
        pytest.param(
            lambda r: {"text": "x", "base_revision": r, "license": "WTFPL"},
            400,
            "n'existe pas",
            id="licence-unknown",
        ),
        pytest.param(
            lambda r: {"text": "x", "base_revision": r, "summary": 5},
            400,
            "résumé",
            id="summary-number",
        ),
        pytest.param(
            lambda r: {"text": "x", "base_revision": r, "summary": "é" * 501},
            400,
            "501 caractères",
            id="summary-too-long",
        ),
        pytest.param(lambda r: {"text": "", "base_revision": r}, 400, "vide", id="text-empty"),
        pytest.param(
            lambda r: {"text": " \n\t\r\n ", "base_revision": r}, 400, "vide", id="text-blank"
        ),
        pytest.param(
            lambda r: {"text": "\x00\x00", "base_revision": r}, 400, "vide", id="text-nul"
        ),
        pytest.param(
            lambda r: {"text": "x", "base_revision": "abc"}, 400, "nombre entier", id="base-str"
        ),
        pytest.param(
            lambda r: {"text": "x", "base_revision": True}, 400, "nombre entier", id="base-bool"
        ),
        pytest.param(
            lambda r: {"text": "x", "base_revision": 1.5}, 400, "nombre entier", id="base-float"
        ),
        pytest.param(
            lambda r: {"text": "x", "base_revision": [r]}, 400, "nombre entier", id="base-list"
        ),
        pytest.param(
            lambda r: {"text": "x", "base_revision": 987654}, 404, "987654", id="base-unknown"
        ),
        pytest.param(
            lambda r: {"text": "x", "base_revision": 10**30}, 404, "n'existe pas", id="base-huge"
        ),
        pytest.param(
            lambda r: {"text": "x", "base_revision": -1}, 404, "n'existe pas", id="base-negative"
        ),
        pytest.param(
            lambda r: {"text": "x", "base_revision": 2**31}, 404, "n'existe pas", id="base-int4+1"
        ),
        pytest.param(
            lambda r: {"text": "x", "base_revision": str(2**63 - 1)},
            404,
            "n'existe pas",
            id="base-int8-max",
        ),
    ]


@pytest.mark.parametrize(("build", "status", "words"), _bad_body_cases())
def test_put_bad_body_on_existing_page(app, api, build, status, words):
    current = api.create("Cible", "Texte d'origine.")["id"]
    body = api.put("Cible", build(current), status).get_json()
    assert words.lower() in body["error"].lower(), body
    assert history_total(app, "Cible") == 1
    assert api.page("Cible")["text"] == "Texte d'origine.\n"


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"base_revision": None}, 400, "« text »"),
        ({"text": "x"}, 400, "« base_revision »"),
        ({"text": "", "base_revision": None}, 400, "vide"),
        ({"text": 3, "base_revision": None}, 400, "texte"),
        ({"text": "x", "base_revision": None, "license": "GPL-3.0"}, 400, "n'existe pas"),
        ({"text": "x", "base_revision": None, "license": 4.0}, 400, "license"),
        ({"text": "x", "base_revision": None, "minor": "false"}, 400, "minor"),
        ({"text": "x", "base_revision": 1}, 404, "n'existe pas"),
    ],
)
def test_put_bad_body_on_missing_page(app, api, body, status, words):
    response = api.put("Neuve", body, status).get_json()
    assert words.lower() in response["error"].lower()
    assert not page_exists(app, "Neuve")


def test_put_base_revision_of_another_page_is_400(app, api):
    other = api.create("Autre", "Autre texte.")
    api.create("Page", "Texte.")
    body = api.put("Page", {"text": "Nouveau.", "base_revision": other["id"]}, 400).get_json()
    assert "n'appartient pas" in body["error"]
    assert history_total(app, "Page") == 1


@pytest.mark.parametrize(
    "raw",
    [
        "{",
        '{"text": "x", "base_revision": null',
        "text=x&base_revision=",
        "",
        "{'text': 'x'}",
        '{"text": "x"} trailing',
        "NaN-ish",
    ],
)
@pytest.mark.any_database  # refused by the body's parsing, before any query
def test_put_invalid_json_is_400(app, api, raw):
    body = api.put_raw("Page", raw, 400).get_json()
    assert "JSON" in body["error"]
    assert not page_exists(app, "Page")


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b'{"text": "\xff\xfe", "base_revision": null}', JSON_TYPE),
        ('{"text": "x", "base_revision": null}', "text/plain"),
        ('{"text": "x", "base_revision": null}', "application/x-www-form-urlencoded"),
    ],
)
def test_put_undecodable_or_not_json_body_is_400(app, api, data, content_type):
    api.put_raw("Page", data, 400, content_type=content_type)
    assert not page_exists(app, "Page")


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ('{"text": "a\\ud800b", "base_revision": null}', "illisibles"),
        ('{"text": "\\udfff", "base_revision": null}', "illisibles"),
        ('{"text": "x", "summary": "\\ud83d", "base_revision": null}', "invalides"),
    ],
)
def test_lone_surrogates_are_400(app, api, raw, words):
    body = api.put_raw("Page", raw, 400).get_json()
    assert words in body["error"]
    assert not page_exists(app, "Page")


def test_surrogate_pair_escape_is_fine(api):
    api.put_raw("Émoji", '{"text": "\\ud83d\\ude00 sourire", "base_revision": null}', 201)
    assert api.page("Émoji")["text"] == "\U0001f600 sourire\n"


def test_text_over_max_page_bytes_is_413(small_app, small_api):
    body = small_api.put("Grande", {"text": "a" * 1001, "base_revision": None}, 413).get_json()
    assert "1001 octets" in body["error"] and "1000" in body["error"]
    assert not page_exists(small_app, "Grande")


def test_max_page_bytes_counts_utf8_bytes(small_app, small_api):
    small_api.put("Accents", {"text": "é" * 501, "base_revision": None}, 413)
    small_api.create("Accents", "é" * 500)
    small_api.create("Juste", "a" * 1000)
    assert small_api.page("Juste")["revision"]["size"] == 1001


def test_edit_over_max_page_bytes_is_413(small_app, small_api):
    first = small_api.create("Grandit", "petit")
    small_api.put("Grandit", {"text": "b" * 5000, "base_revision": first["id"]}, 413)
    assert history_total(small_app, "Grandit") == 1


def test_body_over_max_content_length_is_413_json(small_app, small_api):
    limit = small_app.config["MAX_CONTENT_LENGTH"]
    assert limit == 1000 * 2 + 65536
    payload = json.dumps({"text": "a" * (limit + 10), "base_revision": None})
    body = small_api.put_raw("Énorme", payload, 413).get_json()
    assert "trop gros" in body["error"]
    assert not page_exists(small_app, "Énorme")


def test_body_over_max_content_length_with_cookie_is_413_json(small_app, auth):
    client = small_app.test_client()
    auth.login("Alice", client=client)
    csrf = session_csrf(client)
    api = Api(client, {"X-CSRFToken": csrf})
    payload = json.dumps({"text": "a" * small_app.config["MAX_CONTENT_LENGTH"]})
    api.put_raw("Énorme", payload, 413)
    assert not page_exists(small_app, "Énorme")


# ------------------------------------------------------------------------ conflicts

BASE_TEXT = "Premier paragraphe.\n\nDeuxième paragraphe.\n\nTroisième paragraphe.\n"


def test_disjoint_concurrent_edits_are_merged(app, api, bob_api):
    base = api.create("Partagée", BASE_TEXT)["id"]
    assert bob_api.page("Partagée")["revision"]["id"] == base
    alice_text = BASE_TEXT.replace("Premier paragraphe.", "Premier paragraphe, par Alice.")
    bob_text = BASE_TEXT.replace("Troisième paragraphe.", "Troisième paragraphe, par Bob.")
    alice = api.put("Partagée", {"text": alice_text, "base_revision": base}, 200).get_json()
    assert alice["merged"] is False
    bob = bob_api.put("Partagée", {"text": bob_text, "base_revision": base}, 200).get_json()
    assert bob["merged"] is True
    assert bob["changed"] is True
    assert bob["revision"]["parent"] == alice["revision"]["id"]
    assert bob["revision"]["author"] == "Bob"
    text = api.page("Partagée")["text"]
    assert "Premier paragraphe, par Alice." in text
    assert "Troisième paragraphe, par Bob." in text
    assert "Deuxième paragraphe." in text
    assert history_total(app, "Partagée") == 3


def test_overlapping_concurrent_edits_are_409(app, api, bob_api):
    base = api.create("Disputée", BASE_TEXT)["id"]
    alice_text = BASE_TEXT.replace("Deuxième paragraphe.", "Deuxième paragraphe selon Alice.")
    bob_text = BASE_TEXT.replace("Deuxième paragraphe.", "Deuxième paragraphe selon Bob.")
    alice = api.put("Disputée", {"text": alice_text, "base_revision": base}, 200).get_json()
    response = bob_api.put("Disputée", {"text": bob_text, "base_revision": base}, 409)
    body = response.get_json()
    assert body["error"] == "conflict"
    assert body["current_revision"]["id"] == alice["revision"]["id"]
    assert body["current_revision"]["author"] == "Alice"
    assert "rien n'a été enregistré" in body["message"]
    assert body["current_text"] == alice_text
    assert body["your_text"] == bob_text
    assert body["conflicts"] and {"base", "yours", "theirs"} <= set(body["conflicts"][0])
    assert history_total(app, "Disputée") == 2
    assert api.page("Disputée")["text"] == alice_text


def test_create_create_race_is_409(app, api, bob_api):
    first = api.create("Course", "Le texte d'Alice.")
    response = bob_api.put("Course", {"text": "Le texte de Bob.", "base_revision": None}, 409)
    body = response.get_json()
    assert body["error"] == "conflict"
    assert body["current_revision"]["id"] == first["id"]
    assert history_total(app, "Course") == 1
    assert api.page("Course")["text"] == "Le texte d'Alice.\n"


def test_create_create_with_the_same_text_changes_nothing(app, api, bob_api):
    first = api.create("Jumelle", "Même texte.")
    body = bob_api.put("Jumelle", {"text": "Même texte.", "base_revision": None}, 200).get_json()
    assert body["created"] is False
    assert body["changed"] is False
    assert body["revision"]["id"] == first["id"]
    assert history_total(app, "Jumelle") == 1


def test_stale_base_given_as_string_is_merged(app, api, bob_api):
    """A base revision sent as a string ("12") is accepted like a number."""
    base = api.create("Texte", BASE_TEXT)["id"]
    api.edit("Texte", BASE_TEXT.replace("Premier", "1er"), base)
    body = bob_api.put(
        "Texte",
        {"text": BASE_TEXT.replace("Troisième", "3e"), "base_revision": str(base)},
        200,
    ).get_json()
    assert body["merged"] is True
    text = api.page("Texte")["text"]
    assert "1er paragraphe" in text and "3e paragraphe" in text
    assert history_total(app, "Texte") == 3


# -------------------------------------------------------------------------- history


def _make_history(api: Api) -> list[dict[str, Any]]:
    """Five revisions: create (10 bytes), grow, shrink, same size, grow."""
    texts = ["123456789", "123456789 abcdef", "1234", "abcd", "abcd efgh ijkl"]
    revisions = [api.create("Historique", texts[0])]
    for text in texts[1:]:
        revisions.append(api.edit("Historique", text, revisions[-1]["id"])["revision"])
    return revisions


def test_history_newest_first_with_size_change(api):
    revisions = _make_history(api)
    body = api.history("Historique")
    assert body["total"] == 5
    ids = [r["id"] for r in body["revisions"]]
    assert ids == [r["id"] for r in reversed(revisions)]
    changes = [r["size_change"] for r in body["revisions"]]
    assert changes == [10, 0, -12, 7, 10]
    assert sum(changes) == body["revisions"][0]["size"]
    for row in body["revisions"]:
        assert set(row) >= {"id", "author", "timestamp", "summary", "minor", "size"}
        assert row["author"] == "Alice"


def test_history_pagination(api):
    revisions = _make_history(api)
    newest_first = [r["id"] for r in reversed(revisions)]
    seen = []
    for offset in (0, 2, 4):
        body = api.history("Historique", query={"limit": 2, "offset": offset})
        assert body["total"] == 5
        assert body["limit"] == 2 and body["offset"] == offset
        seen += [r["id"] for r in body["revisions"]]
    assert seen == newest_first
    assert api.history("Historique", query={"offset": 10})["revisions"] == []
    last = api.history("Historique", query={"limit": 1, "offset": 4})["revisions"]
    assert [r["id"] for r in last] == [revisions[0]["id"]]
    assert last[0]["size_change"] == 10


@pytest.mark.parametrize(
    ("query", "limit", "offset"),
    [
        ({"limit": 0}, 1, 0),
        ({"limit": -5}, 1, 0),
        ({"limit": 100000}, 500, 0),
        ({"limit": str(10**40)}, 500, 0),
        ({"offset": -3}, 50, 0),
        ({"offset": str(10**40)}, 50, 10**9),
    ],
)
def test_history_limits_are_clamped(api, query, limit, offset):
    api.create("Historique", "Texte.")
    body = api.history("Historique", query=query)
    assert (body["limit"], body["offset"]) == (limit, offset)


@pytest.mark.parametrize("query", [{"limit": "abc"}, {"offset": "1.5"}, {"limit": ""}])
@pytest.mark.any_database  # refused by the parameters' parsing, before any query
def test_history_non_integer_params_are_400(api, query):
    api.create("Historique", "Texte.")
    body = api.history("Historique", 400, query=query)
    assert "nombre entier" in body["error"]


def test_history_of_missing_page_is_404(api):
    api.history("Absente", 404)


def test_timestamps_are_utc_and_identical_everywhere(api):
    """One revision has one timestamp, with its UTC offset, whatever the endpoint."""
    created = api.create("Horodatée", "Texte.")
    from_page = api.page("Horodatée")["revision"]["timestamp"]
    from_history = api.history("Horodatée")["revisions"][0]["timestamp"]
    for value in (created["timestamp"], from_page, from_history):
        stamp = parse_ts(value)
        assert stamp.tzinfo is not None, value
        assert stamp.utcoffset().total_seconds() == 0
    assert from_page == created["timestamp"]
    assert from_history == created["timestamp"]


# ----------------------------------------------------------------------------- diff


def test_diff_between_two_revisions(api):
    first = api.create("Comparée", "alpha\nbeta\ngamma\n")
    second = api.edit("Comparée", "alpha\nBETA\ngamma\ndelta\nepsilon\n", first["id"])
    body = api.get(
        page_path("Comparée", "/diff"),
        query={"from": first["id"], "to": second["revision"]["id"]},
    )
    assert body["from"]["id"] == first["id"]
    assert body["to"]["id"] == second["revision"]["id"]
    assert body["added"] == 3  # BETA (replacing beta), delta, epsilon
    assert body["removed"] == 1  # beta
    assert "delta" in body["html"] and "epsilon" in body["html"]
    side = api.get(
        page_path("Comparée", "/diff"),
        query={"from": first["id"], "to": second["revision"]["id"], "view": "side"},
    )
    assert side["html"] != body["html"]
    assert (side["added"], side["removed"]) == (3, 1)
    reverse = api.get(
        page_path("Comparée", "/diff"),
        query={"from": second["revision"]["id"], "to": first["id"]},
    )
    assert (reverse["added"], reverse["removed"]) == (1, 3)


def test_diff_of_identical_revisions(api):
    first = api.create("Comparée", "Texte.")
    body = api.get(page_path("Comparée", "/diff"), query={"from": first["id"], "to": first["id"]})
    assert (body["added"], body["removed"]) == (0, 0)


def test_diff_html_is_escaped(api):
    first = api.create("Piégée", "Début.\n")
    second = api.edit("Piégée", "Début.\n<script>alert(1)</script>\n<img src=x onerror=alert(2)>\n")
    body = api.get(
        page_path("Piégée", "/diff"),
        query={"from": first["id"], "to": second["revision"]["id"]},
    )
    html = body["html"]
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "&lt;script&gt;" in html
    side = api.get(
        page_path("Piégée", "/diff"),
        query={"from": first["id"], "to": second["revision"]["id"], "view": "side"},
    )
    assert "<script" not in side["html"].lower()


def test_diff_between_pages_is_400(api):
    other = api.create("Autre", "Autre.")
    mine = api.create("Mienne", "Mienne.")
    for query in ({"from": other["id"], "to": mine["id"]}, {"from": mine["id"], "to": other["id"]}):
        body = api.get(page_path("Mienne", "/diff"), 400, query=query)
        assert "n'appartient pas" in body["error"]


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ({}, 400, "« from »"),
        ({"from": "1"}, 400, "« to »"),
        ({"to": "1"}, 400, "« from »"),
        ({"from": "abc", "to": "1"}, 400, "nombre entier"),
        ({"from": "1", "to": ""}, 400, "nombre entier"),
        ({"from": "1", "to": "999999"}, 404, "999999"),
        ({"from": "0", "to": "1"}, 404, "n'existe pas"),
        ({"from": "1", "to": str(2**31)}, 404, "n'existe pas"),
        ({"from": str(2**62), "to": "1"}, 404, "n'existe pas"),
    ],
)
def test_diff_bad_params(api, query, status, words):
    api.create("Comparée", "Texte.")  # revision 1
    body = api.get(page_path("Comparée", "/diff"), status, query=query)
    assert words in body["error"]


def test_diff_of_missing_page_is_404(api):
    api.get(page_path("Absente", "/diff"), 404, query={"from": 1, "to": 1})


# -------------------------------------------------------------------------- restore


def test_restore_old_revision(app, api):
    first = api.create("Vandalisée", "Le bon texte.")
    second = api.edit("Vandalisée", "N'IMPORTE QUOI", first["id"])["revision"]
    response = api.restore("Vandalisée", {"revision": first["id"], "summary": "Annulation"}, 200)
    body = response.get_json()
    assert body["restored"] is True
    revision = body["revision"]
    assert revision["id"] > second["id"]
    assert revision["parent"] == second["id"]
    assert revision["action"] == "restore"
    assert revision["summary"] == "Annulation"
    assert revision["author"] == "Alice"
    page = api.page("Vandalisée")
    assert page["text"] == "Le bon texte.\n"
    assert page["revision"]["id"] == revision["id"]
    assert history_total(app, "Vandalisée") == 3
    assert api.history("Vandalisée")["total"] == 3


def test_restore_has_a_default_summary(api):
    first = api.create("Restaurée", "Un.")
    api.edit("Restaurée", "Deux.", first["id"])
    body = api.restore("Restaurée", {"revision": first["id"]}, 200).get_json()
    assert str(first["id"]) in body["revision"]["summary"]


def test_restore_current_revision_is_400(app, api):
    first = api.create("Actuelle", "Un.")
    second = api.edit("Actuelle", "Deux.", first["id"])["revision"]
    body = api.restore("Actuelle", {"revision": second["id"]}, 400).get_json()
    assert "déjà la version actuelle" in body["error"]
    assert history_total(app, "Actuelle") == 2


@pytest.mark.parametrize(
    ("build", "status", "words"),
    [
        (lambda r, o: {}, 400, "« revision »"),
        (lambda r, o: {"summary": "x"}, 400, "« revision »"),
        (lambda r, o: [r], 400, "objet JSON"),
        (lambda r, o: "1", 400, "objet JSON"),
        (lambda r, o: {"revision": "abc"}, 400, "nombre entier"),
        (lambda r, o: {"revision": None}, 400, "nombre entier"),
        (lambda r, o: {"revision": 1.0}, 400, "nombre entier"),
        (lambda r, o: {"revision": True}, 400, "nombre entier"),
        (lambda r, o: {"revision": 987654}, 404, "987654"),
        (lambda r, o: {"revision": 2**31}, 404, str(2**31)),
        (lambda r, o: {"revision": o}, 400, "n'appartient pas"),
        (lambda r, o: {"revision": r, "summary": 12}, 400, "résumé"),
        (lambda r, o: {"revision": r, "summary": "x" * 501}, 400, "501"),
    ],
)
def test_restore_bad_input(app, api, build, status, words):
    other = api.create("Autre", "Autre.")["id"]
    first = api.create("Restaurée", "Un.")["id"]
    api.edit("Restaurée", "Deux.", first)
    body = api.restore("Restaurée", build(first, other), status).get_json()
    assert words in body["error"]
    assert history_total(app, "Restaurée") == 2


def test_restore_invalid_json_is_400(app, api):
    first = api.create("Restaurée", "Un.")["id"]
    api.edit("Restaurée", "Deux.", first)
    api.call("POST", page_path("Restaurée", "/restore"), 400, data="{revision: 1}")
    assert history_total(app, "Restaurée") == 2


def test_restore_missing_page_is_404(api):
    api.restore("Absente", {"revision": 1}, 404)


# ------------------------------------------------------------------------ backlinks


def test_backlinks(app, api, auth):
    auth.make_user("Admin", role="admin")
    api.create("A", "Voir [[B]].")
    api.create("Aide:C", "Voir aussi [[b|la page B]].")
    api.create("D", "Aucun lien, sauf `[[B]]` en code.")
    assert set(api.get(page_path("B", "/backlinks"))["titles"]) == {"A", "Aide:C"}
    assert (
        api.get(page_path("b", "/backlinks"))["titles"]
        == api.get(page_path("B", "/backlinks"))["titles"]
    )
    assert api.get(page_path("A", "/backlinks"))["titles"] == []

    delete_page(app, "A")
    assert api.get(page_path("B", "/backlinks"))["titles"] == ["Aide:C"]

    api.edit("Aide:C", "Plus de lien.")
    assert api.get(page_path("B", "/backlinks"))["titles"] == []


def test_backlinks_to_namespaced_title(api):
    api.create("Source", "[[Help:Écrire]] et [[Catégorie:Lieux]] et [[:Catégorie:Lieux]]")
    assert api.get(page_path("Aide:Écrire", "/backlinks"))["titles"] == ["Source"]
    assert api.get(page_path("Catégorie:Lieux", "/backlinks"))["titles"] == ["Source"]


# -------------------------------------------------------------------- misc, no 500


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/v1/nothing", 404),
        ("GET", "/api/v1/pages", 404),
        ("GET", "/api/v1/pages/", 404),
        ("GET", "/api/v2/pages/Accueil", 404),
        ("GET", "/api/v1", 404),
        ("DELETE", "/api/v1/search", 405),  # (DELETE /api/v1/pages/<title> deletes a page)
        ("POST", "/api/v1/pages/Accueil", 405),
        ("POST", "/api/v1/pages/Accueil/history", 405),
        ("PATCH", "/api/v1/pages/Accueil", 405),
    ],
)
@pytest.mark.any_database  # refused by the routing, before any query
def test_unknown_paths_and_methods_answer_json(api, method, path, status):
    api.call(method, path, status)


def test_security_headers_on_api_answers(api):
    api.create("Entêtes", "Texte.")
    response = api.call("GET", page_path("Entêtes"), 200)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "body",
    [
        {"text": "x" * 100, "base_revision": 2**63},
        {"text": "x", "base_revision": -(2**70)},
        {"text": "x", "base_revision": "1" * 400},
        {"text": "x", "base_revision": " 1 "},
        {"text": "x", "base_revision": {"id": 1}},
        {"text": "x", "base_revision": None, "license": ""},
        {"text": "x", "base_revision": None, "license": "\x00"},
        {"text": "x", "base_revision": None, "summary": None},
        {"text": "x", "base_revision": None, "minor": None},
        {"text": "#REDIRECTION [[Ailleurs]]", "base_revision": None},
        {"text": "[[" * 500 + "]]" * 500, "base_revision": None},
        {"text": "x", "base_revision": None, "extra": {"deep": [1, 2, {"a": None}]}},
    ],
)
def test_odd_bodies_never_give_500(api, body):
    current = api.create("Existe", "Texte.")["id"]
    api.put("Nouvelle", body)
    if body["base_revision"] is None:
        body = {**body, "base_revision": current}
    api.put("Existe", body)


@pytest.mark.parametrize(
    "query",
    [
        {"revision": "1" * 300},
        {"revision": "\x00"},
        {"revision": "١"},  # an Arabic-Indic digit
        {"revision": ["1", "2"]},
    ],
)
def test_odd_queries_never_give_500(api, query):
    api.create("Existe", "Texte.")
    api.call("GET", page_path("Existe"), query=query)
    api.call("GET", page_path("Existe", "/diff"), query={"from": "1", "to": query["revision"]})
    api.call("GET", page_path("Existe", "/history"), query={"limit": query["revision"]})
