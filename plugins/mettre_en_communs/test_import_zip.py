"""Importing an export archive: a category of three pages with their history, exported
then imported into an emptied wiki (pages, revisions, dates, authors and licences come
back), pages that exist are skipped, and broken archives are refused with nothing
saved (not a zip, no manifest, ``../`` paths, bombs, too big, a broken history)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from helpers import Api, bearer_for, csrf_from, page_path, soup
from sqlalchemy import func, select, text

from wikicoop.cli import cli as wikicoop_cli
from wikicoop.core.db import engine_of
from wikicoop.core.models import Base, Page, Revision
from wikicoop.web.db import get_session

from .test_export_zip import GARDENS, write_gardens


def exported(client: FlaskClient, query: str = "?category=Jardins") -> bytes:
    answer = client.get("/api/v1/export" + query)
    assert answer.status_code == 200, answer.text[:300]
    return answer.data


def empty_wiki(app: Flask) -> None:
    """Remove every row of the core's tables (a fresh wiki on the same database)."""
    with engine_of(app).begin() as connection:
        connection.execute(text("UPDATE pages SET latest_revision_id = NULL"))
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


def histories(client: FlaskClient) -> dict[str, list[dict]]:
    api = Api(client)
    return {
        title: [
            r
            for r in reversed(api.get(page_path(title, "/history"))["revisions"])
            if r["status"] == "published"  # a hidden one is listed as a stub
        ]
        for title in GARDENS
    }


def counts(app: Flask) -> tuple[int, int]:
    with app.app_context():
        session = get_session()
        return (
            session.scalar(select(func.count()).select_from(Page)),
            session.scalar(select(func.count()).select_from(Revision)),
        )


def send(client: FlaskClient, app: Flask, data: bytes, status: int, name: str = "a.zip"):
    headers = bearer_for(app, "Admin", "admin")
    answer = client.post(
        "/api/v1/import",
        data={"file": (io.BytesIO(data), name)},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert answer.status_code == status, answer.text[:500]
    assert answer.mimetype == "application/json"
    return answer.get_json()


def test_export_then_import_into_an_empty_wiki(app, client, make_page, tmp_path: Path):
    write_gardens(app, make_page)
    before = histories(client)
    texts = {title: Api(client).page(title)["text"] for title in GARDENS}
    path = tmp_path / "jardins.zip"
    path.write_bytes(exported(client))
    empty_wiki(app)
    bearer_for(app, "Admin", "admin")  # the command logs the first administrator
    result = app.test_cli_runner().invoke(wikicoop_cli, ["commons", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 page(s) créée(s), 0 ignorée(s), 9 version(s)" in result.output
    after = histories(client)
    for title in GARDENS:
        old, new = before[title], after[title]
        assert len(new) == len(old) == 3
        assert [r["timestamp"] for r in new] == [r["timestamp"] for r in old]
        assert [r["summary"] for r in new] == [r["summary"] for r in old]
        assert [r["licence"] for r in new] == [r["licence"] for r in old]
        assert [r["author"] for r in new] == [f"wikicoop>{r['author']}" for r in old]
        assert Api(client).page(title)["text"] == texts[title]
    page = Api(client).page(GARDENS[2])
    assert page["licence"] == "CC-BY-NC-4.0" and "ouvert le samedi" in page["text"]
    credit = Api(client).get(page_path(GARDENS[0], "/credit"))
    assert credit["authors"] == ["wikicoop>Alice", "wikicoop>Bob"]
    # the category came back with the pages
    members = soup(client.get("/wiki/Cat%C3%A9gorie:Jardins")).get_text()
    assert all(title in members for title in GARDENS)
    # importing the same archive again changes nothing: every page is skipped
    report = send(client, app, path.read_bytes(), 200)
    assert report["created"] == [] and report["revisions"] == 0
    assert {item["title"] for item in report["skipped"]} == set(GARDENS)
    assert {item["reason"] for item in report["skipped"]} == {"exists"}
    assert counts(app) == (3, 9)


def test_the_import_form_for_administrators(app, client, make_page, auth):
    write_gardens(app, make_page)
    archive = exported(client)
    auth.login("Alice")
    assert client.get("/reutiliser/importer").status_code == 403
    auth.logout()
    auth.login("Admin", role="admin")
    form = client.get("/reutiliser/importer")
    token = csrf_from(form.text)
    refused = client.post(
        "/reutiliser/importer",
        data={"archive": (io.BytesIO(archive), "a.zip")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400  # no CSRF token
    done = client.post(
        "/reutiliser/importer",
        data={"csrf_token": token, "archive": (io.BytesIO(archive), "a.zip")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 200
    page = soup(done)
    assert "0 page(s) créée(s), 3 ignorée(s)" in page.select_one(".reuse-report").get_text()
    assert len(page.select(".reuse-skipped tbody tr")) == 3


def zip_of(files: dict[str, bytes | str], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def manifest(*titles: str) -> str:
    pages = [{"title": t, "history": f"history/{n}.jsonl"} for n, t in enumerate(titles)]
    return json.dumps(
        {"format": "wikicoop-export", "format_version": 1, "wiki": "autre", "pages": pages}
    )


def line(title: str, text_: str, day: str = "2024-05-01T10:00:00+00:00", **extra) -> str:
    return json.dumps(
        {
            "title": title,
            "text": text_,
            "author": "Zoé",
            "date": day,
            "licence": "CC-BY-SA-4.0",
            "summary": "",
            **extra,
        }
    )


def test_broken_archives_are_refused_and_nothing_is_saved(app: Flask, client: FlaskClient):
    good = line("Bonne", "Un texte.")
    cases = [
        (b"ceci n'est pas un zip", 400, "bad-zip"),
        (zip_of({"pages/a.md": "x"}), 422, "no-manifest"),
        (zip_of({"manifest.json": "{pas du json"}), 422, "bad-manifest"),
        (zip_of({"manifest.json": '{"format": "autre"}'}), 422, "bad-manifest"),
        (
            zip_of(
                {
                    "manifest.json": manifest("Bonne"),
                    "history/0.jsonl": good,
                    "../../etc/passwd": "x",
                }
            ),
            422,
            "unsafe-path",
        ),
        (
            zip_of(
                {"manifest.json": manifest("Bonne"), "history/0.jsonl": good, "/tmp/absolu": "x"}
            ),
            422,
            "unsafe-path",
        ),
        # 60 MB of zeros packed in a few kilobytes
        (
            zip_of(
                {
                    "manifest.json": manifest("Bonne"),
                    "history/0.jsonl": good,
                    "bombe.bin": b"\0" * 60_000_000,
                }
            ),
            422,
            "bomb",
        ),
        # the second page's history is broken: the first one is not saved either
        (
            zip_of(
                {
                    "manifest.json": manifest("Bonne", "Cassée"),
                    "history/0.jsonl": good,
                    "history/1.jsonl": line("Cassée", "x") + "\n{pas du json",
                }
            ),
            422,
            "bad-history",
        ),
        (
            zip_of(
                {
                    "manifest.json": manifest("Bonne"),
                    "history/0.jsonl": line("Bonne", "x", licence="GPL"),
                }
            ),
            422,
            "bad-history",
        ),
        (zip_of({"manifest.json": manifest("Bonne")}), 422, "bad-manifest"),
    ]
    for data, status, code in cases:
        answer = send(client, app, data, status)
        assert answer["code"] == code, answer
        assert answer["error"].strip()
    assert counts(app) == (0, 0)


def test_too_big_once_unpacked(app: Flask, client: FlaskClient):
    app.config["COMMONS_IMPORT_MAX_BYTES"] = 1000
    data = zip_of({"manifest.json": manifest("Bonne"), "history/0.jsonl": "x" * 2000})
    answer = send(client, app, data, 413)
    assert answer["code"] == "too-big" and "Mo" in answer["error"]
    assert counts(app) == (0, 0)


def test_a_small_archive_is_imported_by_the_api(app: Flask, client: FlaskClient):
    history = "\n".join(
        [
            line("Bonne", "Un texte.", summary="première"),
            line("Bonne", "Un texte revu.", "2024-06-01T09:30:00+00:00", summary="relecture"),
        ]
    )
    report = send(
        client, app, zip_of({"manifest.json": manifest("Bonne"), "history/0.jsonl": history}), 200
    )
    assert report == {
        "created": ["Bonne"],
        "skipped": [],
        "revisions": 2,
        "files": [],
        "files_failed": [],
    }
    revisions = Api(client).history("Bonne")["revisions"]
    assert [r["timestamp"] for r in revisions] == [
        "2024-06-01T09:30:00+00:00",
        "2024-05-01T10:00:00+00:00",
    ]
    assert {r["author"] for r in revisions} == {"autre>Zoé"}


def test_only_administrators_import(app: Flask, client: FlaskClient):
    data = zip_of({"manifest.json": manifest()})
    for headers, status in (
        ({}, 401),
        (bearer_for(app, "Alice"), 403),
        (bearer_for(app, "Modo", "moderator"), 403),
    ):
        answer = client.post(
            "/api/v1/import",
            data={"file": (io.BytesIO(data), "a.zip")},
            headers=headers,
            content_type="multipart/form-data",
        )
        assert answer.status_code == status


def test_a_page_without_a_known_author_is_listed_for_moderators(app: Flask, client: FlaskClient):
    history = json.dumps(
        {
            "title": "Anonyme",
            "text": "Sans nom.",
            "author": "",
            "date": "2020-01-01T00:00:00+00:00",
            "licence": "CC-BY-4.0",
        }
    )
    send(
        client, app, zip_of({"manifest.json": manifest("Anonyme"), "history/0.jsonl": history}), 200
    )
    listed = Api(client, bearer_for(app, "Modo", "moderator")).get("/api/v1/licences/conflicts")
    assert listed["unknown_authors"] == ["Anonyme"]


def test_the_command_refuses_a_broken_archive(app: Flask, tmp_path: Path):
    bearer_for(app, "Admin", "admin")
    path = tmp_path / "faux.zip"
    path.write_text("pas une archive")
    result = app.test_cli_runner().invoke(wikicoop_cli, ["commons", "import", str(path)])
    assert result.exit_code == 1
    assert "n'est pas une archive zip lisible" in result.output
    named = app.test_cli_runner().invoke(
        wikicoop_cli, ["commons", "import", str(path), "--as", "Personne"]
    )
    assert named.exit_code == 1 and "Personne" in named.output
    assert counts(app) == (0, 0)
