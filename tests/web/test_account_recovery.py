"""Issue 12, point 4: getting an account back. A forgotten password through a link sent by
e-mail (a real aiosmtpd server), a new e-mail address confirmed by a link, and the link
a moderator hands over in person; the pages say the same whether an account exists or not.
"""

from __future__ import annotations

import re
import time

from flask import Flask
from flask.testing import FlaskClient
from helpers import CSRF_RE, LOGIN, PASSWORD, banner, login, post_form, soup, use_smtp
from sqlalchemy import select

from wikicoop.community import recovery
from wikicoop.community.accounts import change_password, find_user
from wikicoop.core.models import AuditEntry
from wikicoop.web.db import get_session

FORGOT = "/compte/mot-de-passe-oublie"
EMAIL_PAGE = "/compte/e-mail"
ROOT = "https://wiki.example.org"
NEW_PASSWORD = "un tout nouveau secret"
LINK_RE = re.compile(r"https://wiki\.example\.org(/compte/[^\s]+)")
SENT = "Si un compte de ce wiki correspond à ce que vous avez écrit"


def set_account(app: Flask, name: str, *, email: str | None = None, active: bool = True) -> None:
    with app.app_context():
        session = get_session()
        user = find_user(session, name)
        user.email, user.active = email, active
        session.commit()


def email_of(app: Flask, name: str) -> str | None:
    with app.app_context():
        return find_user(get_session(), name).email


def ask_link(client: FlaskClient, typed: str, address: str = "127.0.0.1", **kw):
    """Post the "forgotten password" form; the response is closed, so its e-mail leaves."""
    response = post_form(
        client, FORGOT, {"identifier": typed}, environ_base={"REMOTE_ADDR": address}, **kw
    )
    response.close()  # a WSGI server closes the response once sent: the e-mail goes then
    return response


def set_password(client: FlaskClient, path: str, new: str = NEW_PASSWORD, confirm: str = ""):
    """Post the new-password form of ``path`` (with a CSRF token of the session, taken
    from another form when the link's page shows none)."""
    return post_form(client, path, {"password": new, "confirm": confirm or new}, form_url=LOGIN)


def link_path(body: str) -> str:
    match = LINK_RE.search(body)
    assert match, body
    return match.group(1)


def token_path(app: Flask, name: str, **kw) -> str:
    with app.app_context():
        user = find_user(get_session(), name)
        return "/compte/nouveau-mot-de-passe/" + recovery.reset_token("test-secret-key", user, **kw)


def without_csrf(html: str) -> str:
    return CSRF_RE.sub('name="csrf_token" value=""', html)


def test_a_full_reset_through_the_inbox(app: Flask, client: FlaskClient, auth, smtp_server):
    inbox, port = smtp_server
    use_smtp(app, port, SITE_URL=ROOT + "/")
    auth.make_user("Alice")
    set_account(app, "Alice", email="alice@example.org")
    phone = app.test_client()
    assert login(phone, "Alice").status_code == 302  # a session left open elsewhere

    login_page = soup(client.get("/compte/connexion"))
    assert login_page.find("a", string="Mot de passe oublié ?")["href"] == FORGOT
    response = post_form(client, FORGOT, {"identifier": " alice@EXAMPLE.org "})
    assert response.status_code == 200 and SENT in response.text
    assert inbox.envelopes == []  # nobody waits for the SMTP server: it goes after the answer
    response.close()
    (message,) = inbox.messages()
    assert message["To"] == "alice@example.org" and message["From"] == "wiki@example.org"
    assert message["Subject"] == "[wikicoop] Choisir un nouveau mot de passe"
    body = message.get_content()
    assert "« Alice »" in body and "une heure" in body and "ignorez cet e-mail" in body

    path = link_path(body)
    form = client.get(path)
    assert form.status_code == 200
    page = soup(form)
    assert page.find("label", string="Nouveau mot de passe (10 caractères au moins)")
    assert page.find("label", string="Le même mot de passe, une deuxième fois")
    assert page.find("input", attrs={"value": "Enregistrer le nouveau mot de passe"})
    assert form.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in form.headers["Cache-Control"]

    done = set_password(client, path)
    assert done.status_code == 302
    assert (
        "Votre nouveau mot de passe est enregistré" in client.get("/", follow_redirects=True).text
    )
    assert client.get("/compte/mot-de-passe").status_code == 200  # logged in here...
    assert phone.get("/compte/mot-de-passe").status_code == 302  # ...and out elsewhere
    assert login(app.test_client(), "Alice", PASSWORD).status_code == 401
    assert login(app.test_client(), "Alice", NEW_PASSWORD).status_code == 302

    again = app.test_client().get(path)  # a link works once
    assert again.status_code == 410
    assert "déjà servi" in banner(again)
    assert soup(again).find("a", string="Demander un nouveau lien")["href"] == FORGOT


def test_known_and_unknown_accounts_get_the_same_page(app: Flask, auth, smtp_server):
    inbox, port = smtp_server
    use_smtp(app, port)
    auth.make_user("Alice")
    auth.make_user("Bruno")  # an account without an address
    set_account(app, "Alice", email="alice@example.org")
    answers = {
        typed: ask_link(app.test_client(), typed)
        for typed in ("alice@example.org", "nobody@example.org", "Alice", "Bruno", "Nobody")
    }
    assert {r.status_code for r in answers.values()} == {200}
    pages = {without_csrf(r.text) for r in answers.values()}
    assert len(pages) == 1 and SENT in pages.pop()
    # by address and by name: one e-mail each; nothing for the others
    assert [e.rcpt_tos for e in inbox.envelopes] == [["alice@example.org"]] * 2


def test_an_address_shared_by_two_accounts_gets_a_link_for_each(app, auth, smtp_server):
    inbox, port = smtp_server
    use_smtp(app, port, SITE_URL=ROOT)
    for name in ("Alice", "Aline"):
        auth.make_user(name)
        set_account(app, name, email="famille@example.org")
    ask_link(app.test_client(), "famille@example.org")
    bodies = [m.get_content() for m in inbox.messages()]
    assert ["« Alice »" in bodies[0], "« Aline »" in bodies[1]] == [True, True]


def test_inactive_accounts_get_no_link(app: Flask, auth, smtp_server):
    inbox, port = smtp_server
    use_smtp(app, port, SITE_URL=ROOT)
    auth.make_user("Alice")
    path = token_path(app, "Alice")
    set_account(app, "Alice", email="alice@example.org", active=False)
    response = ask_link(app.test_client(), "alice@example.org")
    assert response.status_code == 200 and SENT in response.text
    assert inbox.envelopes == []
    refused = app.test_client().get(path)  # a link made before the account was disabled
    assert refused.status_code == 403 and "désactivé" in banner(refused)
    assert set_password(app.test_client(), path).status_code == 403


def test_expired_tampered_and_foreign_links_are_refused(app: Flask, client, auth):
    auth.make_user("Alice")
    old = token_path(app, "Alice", issued_at=time.time() - 3601)
    expired = client.get(old)
    assert expired.status_code == 410 and "expiré" in banner(expired)
    assert token_path(app, "Alice", issued_at=time.time() - 3500) != old
    assert client.get(token_path(app, "Alice", issued_at=time.time() - 3500)).status_code == 200
    good = token_path(app, "Alice")
    body, _, signature = good.rpartition(".")
    flipped = body + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    odd = ["abc", "a.b.c", "%00", "%C3%A9t%C3%A9", "..", "W10.aGVsbG8.AAAA", "x" * 3000]
    prefix = "/compte/nouveau-mot-de-passe/"
    for bad in (flipped, good[:-6], good + "x" * 2000, *(prefix + t for t in odd)):
        response = client.get(bad)
        assert response.status_code == 400, bad  # (a NUL byte: the site's one input check)
        assert "n'est pas valide" in banner(response) or "%00" in bad
    assert set_password(client, flipped).status_code == 400
    with app.app_context():  # a token made for another purpose (another salt)
        user = find_user(get_session(), "Alice")
        other = recovery.email_token("test-secret-key", user, "a@example.org")
    assert client.get("/compte/nouveau-mot-de-passe/" + other).status_code == 400


def test_a_link_stops_working_once_the_password_changed(app: Flask, client, auth):
    auth.make_user("Alice")
    path = token_path(app, "Alice")
    with app.app_context():  # changed by its owner, who remembered it
        session = get_session()
        change_password(session, find_user(session, "Alice"), PASSWORD, "changé autrement")
    assert client.get(path).status_code == 410


def test_the_new_password_follows_the_rules_of_registration(app: Flask, client, auth):
    auth.make_user("Alice")
    path = token_path(app, "Alice")
    short = set_password(client, path, "court")
    assert short.status_code == 400 and soup(short).select(".field-error")
    different = set_password(client, path, NEW_PASSWORD, "un autre secret encore")
    assert different.status_code == 400
    assert "Les deux mots de passe sont différents." in different.text
    assert login(app.test_client(), "Alice", PASSWORD).status_code == 302  # unchanged


def test_asking_for_links_is_rate_limited(app: Flask, auth, smtp_server):
    use_smtp(app, smtp_server[1])
    auth.make_user("Alice")
    # per address: 5 a minute, whatever is typed
    statuses = [ask_link(app.test_client(), f"x{n}@example.org", "10.0.0.1") for n in range(6)]
    assert [r.status_code for r in statuses] == [200] * 5 + [429]
    # per target: 3 in 15 minutes, whatever the address and however it is spelt
    auth.make_user("Ana Lys")
    spellings = ["Ana Lys", "ana_lys", "ANA  LYS ", "Ana_Lys"]
    statuses = [
        ask_link(app.test_client(), typed, f"10.0.1.{n}") for n, typed in enumerate(spellings)
    ]
    assert [r.status_code for r in statuses] == [200] * 3 + [429]
    assert ask_link(app.test_client(), "Bruno", "10.0.1.9").status_code == 200


def test_changing_the_email_address(app: Flask, client: FlaskClient, auth, smtp_server):
    inbox, port = smtp_server
    use_smtp(app, port, SITE_URL=ROOT)
    auth.login("Alice")
    set_account(app, "Alice", email="old@example.org")
    password_page = soup(client.get("/compte/mot-de-passe"))
    assert password_page.find("a", string="Adresse e-mail")["href"] == EMAIL_PAGE
    wrong = post_form(client, EMAIL_PAGE, {"email": "new@example.org", "current": "pas le bon"})
    assert wrong.status_code == 400 and inbox.envelopes == []
    same = post_form(client, EMAIL_PAGE, {"email": "OLD@example.org", "current": PASSWORD})
    assert same.status_code == 400 and "déjà l'adresse" in banner(same)
    bad = post_form(client, EMAIL_PAGE, {"email": "pas une adresse", "current": PASSWORD})
    assert bad.status_code == 400

    asked = post_form(client, EMAIL_PAGE, {"email": "new@example.org", "current": PASSWORD})
    assert asked.status_code == 302
    asked.close()
    confirm, notice = inbox.messages()
    assert confirm["To"] == "new@example.org" and notice["To"] == "old@example.org"
    assert "new@example.org" in notice.get_content()
    assert LINK_RE.search(notice.get_content()) is None  # the old address gets no link
    assert email_of(app, "Alice") == "old@example.org"  # not before the link is opened

    path = link_path(confirm.get_content())
    assert path.startswith("/compte/e-mail/confirmer/")
    stranger = app.test_client()  # opened in the mail program's browser: not logged in
    opened = stranger.get(path)
    assert opened.status_code == 302
    assert "est maintenant new@example.org" in stranger.get("/", follow_redirects=True).text
    assert email_of(app, "Alice") == "new@example.org"
    assert stranger.get(path).status_code == 410  # once only

    ask_link(app.test_client(), "new@example.org")  # the new address now gets the links
    assert inbox.messages()[-1]["To"] == "new@example.org"


def test_email_links_expire_after_a_day_and_need_a_login_to_ask(app: Flask, client, auth):
    auth.make_user("Alice")
    assert client.get(EMAIL_PAGE).status_code == 302  # to the login page
    with app.app_context():
        user = find_user(get_session(), "Alice")
        old = recovery.email_token(
            "test-secret-key", user, "new@example.org", issued_at=time.time() - 25 * 3600
        )
    assert client.get("/compte/e-mail/confirmer/" + old).status_code == 410
    assert client.get("/compte/e-mail/confirmer/pas-un-jeton").status_code == 400
    assert email_of(app, "Alice") is None


def moderator_link(client: FlaskClient, name: str, reason: str = "atelier du mardi"):
    """Press the button of the moderation page of ``name`` (a CSRF token of the session
    from another form when that page is refused)."""
    page = client.get(f"/utilisateur/{name}/moderation")
    token = CSRF_RE.search(page.text) or CSRF_RE.search(client.get(LOGIN).text)
    url = f"/moderation/utilisateurs/{name}/lien-mot-de-passe"
    data = {"reason": reason, "csrf_token": token.group(1)}
    response = client.post(url, data=data)
    response.close()
    return response


def test_a_moderator_hands_over_a_link(app: Flask, client: FlaskClient, auth, smtp_server):
    inbox, port = smtp_server
    use_smtp(app, port, SITE_URL=ROOT)
    auth.make_user("Alice")
    auth.make_user("Bruno")
    set_account(app, "Alice", email="alice@example.org")
    auth.login("Modo", role="moderator")
    page = soup(client.get("/utilisateur/Alice/moderation"))
    button = page.find("button", string="Envoyer un lien pour choisir un nouveau mot de passe")
    assert button is not None

    shown = moderator_link(client, "Alice")
    assert shown.status_code == 200
    link = soup(shown).select_one("input.reset-link-field")["value"]
    assert "l'adresse e-mail du compte" in shown.text
    assert re.search(r"une heure \(jusqu'à \d", soup(shown).get_text())  # its end time
    (message,) = inbox.messages()
    assert message["To"] == "alice@example.org" and link in message.get_content()
    with app.app_context():
        entry = get_session().scalars(select(AuditEntry)).one()
        assert entry.action == recovery.ACTION_RESET_LINK and entry.reason == "atelier du mardi"
        assert entry.target_type == "user"
        assert entry.target_id == find_user(get_session(), "Alice").id
        assert entry.actor.username == "Modo" and entry.details == {"emailed": True}
    log = soup(client.get("/utilisateur/Alice/moderation")).select_one(".audit-log")
    assert "atelier du mardi" in log.get_text()
    assert "lien pour un nouveau mot de passe" in log.get_text()  # a label, not the code

    resident = app.test_client()  # at the workshop, on the resident's own phone
    assert set_password(resident, link.removeprefix(ROOT)).status_code == 302
    assert login(app.test_client(), "Alice", NEW_PASSWORD).status_code == 302

    without = moderator_link(client, "Bruno", "")  # no address: on screen only
    assert without.status_code == 200 and "en main propre" in without.text
    assert len(inbox.messages()) == 1


def test_who_may_make_a_password_link(app: Flask, auth):
    auth.make_user("Alice")
    auth.make_user("Root", role="admin")
    visitor = app.test_client()
    assert moderator_link(visitor, "Alice").status_code == 401
    contributor = app.test_client()
    auth.login("Carla", client=contributor)
    assert moderator_link(contributor, "Alice").status_code == 403
    moderator = app.test_client()
    auth.login("Modo", role="moderator", client=moderator)
    page = soup(moderator.get("/utilisateur/Root/moderation"))
    assert (
        page.find("button", string="Envoyer un lien pour choisir un nouveau mot de passe") is None
    )
    refused = moderator_link(moderator, "Root")
    assert refused.status_code == 403
    assert "compte d'un administrateur" in banner(refused)
    assert moderator_link(moderator, "Modo").status_code == 403  # oneself: the password page
    assert moderator_link(moderator, "Personne").status_code == 404
    no_csrf = moderator.post("/moderation/utilisateurs/Alice/lien-mot-de-passe")
    assert no_csrf.status_code == 400
    admin = app.test_client()
    auth.login("Root", client=admin)
    assert moderator_link(admin, "Modo").status_code == 200
    with app.app_context():
        actions = get_session().scalars(select(AuditEntry.action)).all()
    assert actions == [recovery.ACTION_RESET_LINK]  # only the one made


def test_the_pages_and_the_email_in_english(app: Flask, auth, smtp_server):
    inbox, port = smtp_server
    use_smtp(app, port, SITE_URL=ROOT)
    auth.make_user("Alice")
    set_account(app, "Alice", email="alice@example.org")
    english = {"Accept-Language": "en"}
    client = app.test_client()
    form = soup(client.get(FORGOT, headers=english))
    assert form.find("label", string="Email address or username")
    assert form.find("input", attrs={"value": "Get a link"})
    response = ask_link(client, "Alice", headers=english)
    assert "If an account of this wiki matches what you typed" in response.text
    (message,) = inbox.messages()
    assert message["Subject"] == "[wikicoop] Choose a new password"
    body = message.get_content()
    assert "one hour" in body and "ignore this email" in body
    path = link_path(body)
    page = soup(client.get(path, headers=english))
    assert page.find("label", string="New password (at least 10 characters)")
    assert page.find("label", string="The same password, a second time")
    assert page.find("input", attrs={"value": "Save the new password"})
    expired = client.get(token_path(app, "Alice", issued_at=0), headers=english)
    assert expired.status_code == 410 and "expired" in banner(expired)


def test_odd_input_to_the_forms_is_never_a_server_error(app: Flask, auth, smtp_server):
    use_smtp(app, smtp_server[1])
    auth.make_user("Alice")
    for typed in ("a\x00b@example.org", "Ali\x00ce", "@", "x" * 254, "é@ü.example"):
        response = ask_link(app.test_client(), typed, f"10.0.2.{len(typed) % 250}")
        assert response.status_code == 200, typed
    too_long = ask_link(app.test_client(), "x" * 300, "10.0.3.1")
    assert too_long.status_code == 400  # the form says why (independent of any account)
    client = app.test_client()
    auth.login("Alice", client=client)
    for email in ("a\x00b@example.org", "a b@example.org", "x" * 300 + "@example.org"):
        response = post_form(client, EMAIL_PAGE, {"email": email, "current": PASSWORD})
        assert response.status_code == 400, email


def test_without_email_the_pages_say_whom_to_ask(app: Flask, client: FlaskClient, auth):
    page = soup(client.get(FORGOT))  # SMTP_HOST is empty: this wiki sends no e-mail
    assert page.find("form", attrs={"action": FORGOT}) is None
    assert "demandez un lien à un modérateur" in page.get_text()
    auth.login("Alice")
    email_page = client.get(EMAIL_PAGE)
    assert "ne peut donc pas être changée" in email_page.text
    assert soup(email_page).find("input", attrs={"name": "email"}) is None
