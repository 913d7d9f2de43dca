"""The moderation policy (wikicoop.moderation): modes, trust and external links, no Flask."""

from __future__ import annotations

from datetime import timedelta

import pytest

from wikicoop.config import DEFAULTS
from wikicoop.core import moderation
from wikicoop.core.models import User, utcnow

pytestmark = pytest.mark.any_database


def settings(**overrides):
    return {**DEFAULTS, **overrides}


@pytest.mark.parametrize(
    ("modes", "namespace", "page_type", "expected"),
    [
        ({}, "main", "page", "newcomers"),
        ({"namespace:help": "a_priori"}, "help", "page", "a_priori"),
        ({"namespace:help": "a_priori"}, "main", "page", "newcomers"),
        # a page type's mode wins over its namespace's
        ({"namespace:main": "a_priori", "type:article": "open"}, "main", "article", "open"),
        ({"type:article": "open"}, "main", "page", "newcomers"),
        # an unknown mode falls back to the default
        ({"namespace:main": "strict"}, "main", "page", "newcomers"),
    ],
)
def test_mode_for(modes, namespace, page_type, expected) -> None:
    assert moderation.mode_for(settings(MODERATION_MODES=modes), namespace, page_type) == expected


def test_unknown_default_mode_means_newcomers() -> None:
    assert moderation.mode_for(settings(MODERATION_DEFAULT="bogus"), "main") == "newcomers"


@pytest.mark.parametrize(
    ("old", "new", "added"),
    [
        ("", "voir https://a.example/ et https://b.example/x", 2),
        ("https://a.example/", "https://a.example/ puis https://c.example/.", 1),
        ("[lien](https://a.example/page)", "[lien](https://a.example/page) www.b.example", 1),
        ("texte", "texte sans lien", 0),
        ("HTTPS://A.EXAMPLE/", "https://a.example/", 0),  # same address, other case
    ],
)
def test_added_external_links(old, new, added) -> None:
    assert moderation.added_external_links(old, new) == added


class _Session:
    """Just what is_trusted asks of a session: the count of published edits."""

    def __init__(self, approved: int) -> None:
        self.approved = approved

    def scalar(self, _statement) -> int:
        return self.approved


def user(role="contributor", trust="auto", days=30, active=True) -> User:
    return User(
        id=1, username="U", role=role, trust=trust, active=active,
        created_at=utcnow() - timedelta(days=days),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("account", "approved", "trusted"),
    [
        (user(), 5, True),
        (user(), 4, False),  # not enough published edits
        (user(days=1), 50, False),  # account too young
        (user(trust="granted", days=0), 0, True),
        (user(trust="withdrawn"), 500, False),
        (user(role="moderator", days=0), 0, True),
        (user(role="moderator", active=False), 0, False),
        (None, 0, False),
    ],
)
def test_is_trusted(account, approved, trusted) -> None:
    assert moderation.is_trusted(_Session(approved), account, settings()) is trusted


def test_decide() -> None:
    s = settings(MODERATION_MODES={"namespace:help": "a_priori", "namespace:project": "open"})
    newcomer, trusted, modo = user(days=0), user(trust="granted"), user(role="admin")
    decide = moderation.decide
    assert decide(_Session(0), s, author=newcomer, namespace="main").reasons == ("newcomer",)
    assert decide(_Session(0), s, author=None, namespace="main").reasons == ("anonymous",)
    assert not decide(_Session(0), s, author=trusted, namespace="main").pending
    assert decide(_Session(0), s, author=trusted, namespace="help").reasons == ("a-priori",)
    assert not decide(_Session(0), s, author=modo, namespace="help").pending
    assert not decide(_Session(0), s, author=newcomer, namespace="project").pending
    links = " ".join(f"https://s{n}.example/" for n in range(3))
    spam = decide(_Session(0), s, author=newcomer, namespace="project", new_text=links)
    assert spam.pending and spam.reasons_text == "external-links"
    both = decide(_Session(0), s, author=newcomer, namespace="main", new_text=links)
    assert both.reasons == ("newcomer", "external-links")
    assert not decide(_Session(0), s, author=trusted, namespace="main", new_text=links).pending
