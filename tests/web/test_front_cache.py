"""The front cache (wikicoop.web.front_cache): a visitor's unchanged page answered before
Flask, personal requests always passed on, any commit seen at once, a byte budget."""

from __future__ import annotations

import gzip
from collections.abc import Callable

from flask import Flask
from helpers import front_cache_of, login, make_user
from werkzeug.test import Client

from wikicoop.core.change_stamp import CHANGE_STAMP_KEY
from wikicoop.page_files import PageFiles
from wikicoop.web.front_cache import FrontCache

PAGE = "/wiki/Lavoir"


def reaching_flask(app: Flask) -> list[str]:
    """The paths of the requests that reach Flask from now on."""
    from flask import request

    seen: list[str] = []
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: seen.append(request.path))
    return seen


def quiet_repeat(app: Flask, client, path: str, seen: list[str], **kwargs):
    """A view of ``path`` made right after another, nothing committed around the two,
    and the paths that reached Flask for it. PostgreSQL's stamp is the whole server's
    snapshot, which the other test processes move too: the pair is tried until quiet."""
    stamp = app.extensions[CHANGE_STAMP_KEY]
    for _ in range(100):
        before = stamp.current()
        client.get(path)  # kept (again, if something was committed meanwhile)
        seen.clear()
        response = client.get(path, **kwargs)
        if stamp.current() == before:
            return response, list(seen)
    raise AssertionError("something was committed around every pair of views")


def test_a_visitor_s_unchanged_page_never_reaches_flask(app, make_page) -> None:
    make_page("Lavoir", "Le lavoir du quartier.")
    visitor = app.test_client()
    first = visitor.get(PAGE)
    assert first.status_code == 200 and len(front_cache_of(app)) == 1
    seen = reaching_flask(app)
    again, reached = quiet_repeat(app, visitor, PAGE, seen)
    assert reached == []
    assert again.data == first.data
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    etag = {"If-None-Match": first.headers["ETag"]}
    unchanged, reached = quiet_repeat(app, visitor, PAGE, seen, headers=etag)
    assert unchanged.status_code == 304 and unchanged.data == b"" and reached == []

    make_page("Lavoir", "Le lavoir, restauré.")  # a commit: Flask answers again
    seen.clear()
    assert "restauré" in visitor.get(PAGE).text
    assert seen == [PAGE]


def test_a_browser_accepting_gzip_gets_the_kept_bytes_compressed(app, make_page) -> None:
    make_page("Lavoir", "Le lavoir du quartier.")
    plain = app.test_client().get(PAGE)  # kept, and sent plain
    assert "Accept-Encoding" in plain.headers["Vary"]
    seen = reaching_flask(app)
    gzip_accepted = {"Accept-Encoding": "gzip, deflate, br"}
    compressed, reached = quiet_repeat(app, app.test_client(), PAGE, seen, headers=gzip_accepted)
    assert reached == [] and compressed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.data) == plain.data
    assert int(compressed.headers["Content-Length"]) == len(compressed.data) < len(plain.data)
    assert compressed.headers["ETag"] == f"W/{plain.headers['ETag']}"
    assert "Accept-Encoding" in compressed.headers["Vary"]
    # the weak tag names the same page: the browser's copy is current
    again, _ = quiet_repeat(
        app,
        app.test_client(),
        PAGE,
        seen,
        headers={**gzip_accepted, "If-None-Match": compressed.headers["ETag"]},
    )
    assert again.status_code == 304 and again.headers["ETag"] == compressed.headers["ETag"]
    refused = {"Accept-Encoding": "gzip;q=0, identity"}
    uncompressed, _ = quiet_repeat(app, app.test_client(), PAGE, seen, headers=refused)
    assert "Content-Encoding" not in uncompressed.headers and uncompressed.data == plain.data


def test_a_client_without_gzip_gets_the_body_from_its_file(app, make_page) -> None:
    """The uncompressed body is read from a file of its own, not decompressed a view."""
    make_page("Lavoir", "Le lavoir du quartier.")
    first = app.test_client().get(PAGE)  # kept
    front = front_cache_of(app)
    assert front.files is not None
    seen = reaching_flask(app)
    plain, reached = quiet_repeat(app, app.test_client(), PAGE, seen)
    assert reached == [] and plain.data == first.data
    assert int(plain.headers["Content-Length"]) == len(first.data)
    assert "Content-Encoding" not in plain.headers
    (body_file,) = front.files.folder.glob("*.html")
    assert body_file.read_bytes() == first.data
    body_file.write_bytes(body_file.read_bytes().replace(b"lavoir du", b"LAVOIR DU"))
    again, reached = quiet_repeat(app, app.test_client(), PAGE, seen)
    assert reached == [] and b"LAVOIR DU" in again.data  # read from the file, as written


def test_personal_requests_are_passed_on(app, make_page) -> None:
    make_page("Lavoir", "Le lavoir.")
    make_user(app, "Bob")
    app.test_client().get(PAGE)  # kept
    seen = reaching_flask(app)
    reader = app.test_client()
    login(reader, "Bob")
    assert "Bob" in reader.get(PAGE).text
    app.test_client().get(PAGE + "?action=history")
    app.test_client().get(PAGE, headers={"Authorization": "Bearer wkc_nothing"})
    english = app.test_client().get(PAGE, headers={"Accept-Language": "en"})
    assert '<html lang="en"' in english.text  # never the French page kept
    assert seen.count(PAGE) == 4  # the reader, the history, the token, another language


def another_worker(app: Flask) -> FrontCache:
    """The front cache of another worker forked from ``app``: its memory empty, the
    same files on disk (the same run's generation), the same Flask app behind."""
    front = front_cache_of(app)
    assert front.files is not None
    return FrontCache(
        front._app,  # Flask's wsgi_app, as in the worker
        app.extensions[CHANGE_STAMP_KEY],
        budget=2**20,
        private_cookies=("session",),
        files=PageFiles(front.files.folder, 2**20, generation=front.files.generation),
    )


def test_a_page_one_worker_made_serves_the_others_until_a_commit(app, make_page) -> None:
    make_page("Lavoir", "Le lavoir du quartier.")
    first = app.test_client().get(PAGE)  # made by the first worker, kept on disk too
    seen = reaching_flask(app)
    stamp = app.extensions[CHANGE_STAMP_KEY]
    for _ in range(100):  # (PostgreSQL: until no other test process commits meanwhile)
        before = stamp.current()
        app.test_client().get(PAGE)
        second = another_worker(app)
        seen.clear()
        answer = Client(second).get(PAGE)
        if stamp.current() == before:
            break
    else:
        raise AssertionError("something was committed around every pair of views")
    assert seen == [] and answer.status_code == 200  # never reached Flask
    assert answer.data == first.data and answer.headers["ETag"] == first.headers["ETag"]
    assert len(second) == 1  # now in its memory too

    make_page("Lavoir", "Le lavoir, restauré.")  # a commit: the file is stale
    seen.clear()
    assert "restauré" in Client(another_worker(app)).get(PAGE).text
    assert seen == [PAGE]


def test_another_run_of_the_wiki_never_serves_an_earlier_run_s_files(
    app, make_app: Callable[..., Flask], make_page
) -> None:
    """A restart may bring other settings or another version, which the change stamp
    does not see: an app made anew never reads the files of another."""
    make_page("Lavoir", "Le lavoir du quartier.")
    app.test_client().get(PAGE)
    restarted = make_app(SITE_NAME="Wiki du quartier")
    seen = reaching_flask(restarted)
    assert "Wiki du quartier" in restarted.test_client().get(PAGE).text
    assert seen == [PAGE]


def test_a_restart_with_the_same_code_and_settings_serves_the_earlier_run_s_files(
    app, make_app: Callable[..., Flask], make_page
) -> None:
    """The generation is a digest of the code and settings, not a draw: a run started
    again unchanged answers from the files an earlier one made, while nothing was
    committed since; the first commit sends it to Flask."""
    make_page("Lavoir", "Le lavoir du quartier.")
    stamp = app.extensions[CHANGE_STAMP_KEY]
    for _ in range(100):  # (PostgreSQL: until no other test process commits meanwhile)
        before = stamp.current()
        first = app.test_client().get(PAGE)
        restarted = make_app()
        seen = reaching_flask(restarted)
        answer = restarted.test_client().get(PAGE)
        if stamp.current() == before:
            break
    else:
        raise AssertionError("something was committed around every pair of views")
    assert seen == [] and answer.data == first.data
    assert answer.headers["ETag"] == first.headers["ETag"]

    make_page("Lavoir", "Le lavoir, restauré.")
    assert "restauré" in make_app().test_client().get(PAGE).text


def test_the_answers_kept_stay_within_the_budget(make_app: Callable[..., Flask], make_page) -> None:
    app = make_app(PAGE_CACHE_MB=0.01)  # about 10 KB: two pages or three, compressed
    for n in range(6):
        make_page(f"Page {n}", f"Texte {n}. " + "Des mots pour remplir la page. " * 40)
    visitor = app.test_client()
    for n in range(6):
        assert visitor.get(f"/wiki/Page_{n}").status_code == 200
    cache = front_cache_of(app)
    assert 1 <= len(cache) < 6
    assert cache.kept_bytes <= 0.01 * 2**20


def test_no_budget_no_front_cache(make_app: Callable[..., Flask], make_page) -> None:
    app = make_app(PAGE_CACHE_MB=0)
    make_page("Lavoir", "Le lavoir.")
    visitor = app.test_client()
    visitor.get(PAGE)
    seen = reaching_flask(app)
    assert visitor.get(PAGE).status_code == 200
    assert seen == [PAGE] and len(front_cache_of(app)) == 0


def test_a_category_page_is_kept_until_any_commit(app, make_page) -> None:
    """Its members change without a new revision of it: kept only while nothing at all
    is committed, then shown again with the new member."""
    make_page("Catégorie:Lavoirs", "Les lavoirs du quartier.")
    make_page("Lavoir", "Un lavoir.\n\n[[Catégorie:Lavoirs]]")
    path = "/wiki/Cat%C3%A9gorie:Lavoirs"
    visitor = app.test_client()
    assert "Lavoir" in visitor.get(path).text
    seen = reaching_flask(app)
    first, reached = quiet_repeat(app, visitor, path, seen)
    assert reached == [] and first.status_code == 200
    make_page("Lavoir du Pont", "Un autre.\n\n[[Catégorie:Lavoirs]]")
    seen.clear()
    again = visitor.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and "Lavoir du Pont" in again.text
    assert seen == [path.replace("%C3%A9", "é")]
