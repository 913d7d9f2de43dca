"""An e-mail to the people a cancellation moved from the waiting list to a place (sent
after the response, through the core's mailer; nothing when e-mail is off)."""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app
from sqlalchemy import select

from wikicoop.community.mailer import Mail, SmtpSettings, send_later, site_root
from wikicoop.core.models import User
from wikicoop.web.db import get_session
from wikicoop.web.urls import page_url

from .common import shown_start
from .schedule import Occurrence
from .workshop import Workshop


def tell_promoted(workshop: Workshop, occurrence: Occurrence, user_ids: Sequence[int]) -> int:
    """Queue one message per promoted person who has an address; how many."""
    settings = SmtpSettings.from_config(current_app.config)
    if settings is None or not user_ids:
        return 0
    addresses = get_session().scalars(
        select(User.email).where(User.id.in_(list(user_ids)), User.email.is_not(None))
    )
    link = site_root(current_app.config) + page_url(workshop.title)
    when = shown_start(occurrence.start)
    mails = [
        Mail(
            to=address,
            subject=f"Une place s'est libérée : {workshop.title.full} ({when})",
            body=(
                f"Bonjour,\n\nUne place s'est libérée à l'atelier « {workshop.title.full} » "
                f"du {when} : vous passez de la liste d'attente aux inscrits.\n\n"
                f"Si vous ne pouvez plus venir, annulez votre inscription ici : {link}\n"
            ),
        )
        for address in addresses
        if address
    ]
    if mails:
        send_later(current_app.config, mails)
    return len(mails)
