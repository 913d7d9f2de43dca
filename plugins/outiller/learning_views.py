"""The guided path ``/apprendre`` (exercises, progress, the sandbox and its reset:
``POST /apprendre/bac-a-sable/reinitialiser``) and a workshop's
``/ateliers/<title>/progression`` for its facilitators and the moderators."""

from __future__ import annotations

from urllib.parse import quote

from flask import current_app, flash, redirect, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from wikicoop.core import revisions as rev
from wikicoop.core import writing
from wikicoop.errors import ServiceError
from wikicoop.text.titles import parse_title
from wikicoop.web.db import get_session
from wikicoop.web.errors import fail
from wikicoop.web.helpers import refuse_if_cannot_write
from wikicoop.web.labels import in_reader_language, localized
from wikicoop.web.urls import page_url

from .common import bp
from .ics import feed_key
from .learning import EXERCISES, STARTING_TEXT, learners_names, progress_of, sandbox_title
from .lists import managed_workshop
from .registrations import participants
from .tables import REGISTERED
from .texts import say, say_count


@bp.get("/apprendre")
def learn() -> str:
    done: set[str] = set()
    sandbox = None
    feed = None
    if current_user.is_authenticated:
        user_id, name = int(current_user.id), current_user.username
        done = progress_of(get_session(), current_app.config, {user_id: name})[user_id]
        sandbox = parse_title(sandbox_title(current_app.config, name))
        feed = f"/agenda/{quote(name, safe='')}.ics?cle={feed_key(name)}"
    checked = request.args.get("verifier", "")
    return render_template(
        "outiller/apprendre.html",
        exercises=EXERCISES,
        done=done,
        checked=checked if checked in {e.key for e in EXERCISES} else "",
        sandbox=sandbox,
        feed=feed,
        words=in_reader_language,
        say=say,
        say_count=say_count,
    )


@bp.post("/apprendre/bac-a-sable/reinitialiser")
def reset_sandbox() -> Response:
    """Save the starting text as a new revision of the reader's sandbox (its history
    keeps every attempt)."""
    if not current_user.is_authenticated:
        fail(401, say("learn_login"))
    session = get_session()
    title = parse_title(sandbox_title(current_app.config, current_user.username))
    page = rev.find_page(session, title, include_deleted=False)
    refuse_if_cannot_write(page)
    edit = writing.Edit(
        author=rev.Author(user=current_user._get_current_object()),
        title=title,
        text=STARTING_TEXT,
        base_revision_id=page.latest_revision_id if page is not None else None,
        summary=say("reset_summary"),
    )
    try:
        writing.save(writing.context_for(current_app, session), edit)
    except ServiceError as err:
        session.rollback()
        fail(err.status, localized(err))
    flash(say("reset_done"), "success")
    return redirect(page_url(title))


@bp.get("/ateliers/<path:raw_title>/progression")
def workshop_progress(raw_title: str) -> str:
    workshop = managed_workshop(raw_title)
    session = get_session()
    ids = sorted(
        {p.user_id for p in participants(session, workshop.page_id) if p.status == REGISTERED}
    )
    names = learners_names(session, ids)
    progress = progress_of(session, current_app.config, names)
    rows = sorted(((names[i], progress[i]) for i in names), key=lambda row: row[0].casefold())
    return render_template(
        "outiller/progression.html",
        workshop=workshop,
        rows=rows,
        exercises=EXERCISES,
        words=in_reader_language,
        say=say,
    )
