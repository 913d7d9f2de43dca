"""The background jobs, for admins: waiting, running, waiting for a retry, failed; a
failed one can be run again ("Relancer") or forgotten ("Supprimer").

With Redis the page reads RQ's queue and registries; without it, it lists the jobs that
failed in this web process (kept in memory, lost at restart).
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ...jobs import redis_errors, status
from ..helpers import require
from ..labels import N_

bp = Blueprint("jobs_admin", __name__)

#: the headings of the states, in the order of the page
STATE_TITLES = {
    "failed": N_("En échec"),
    "scheduled": N_("En attente d'une nouvelle tentative"),
    "started": N_("En cours"),
    "queued": N_("En file d'attente"),
    "local_failed": N_("En échec dans ce processus (sans Redis)"),
}


@bp.route("/admin/taches")
def jobs_page() -> tuple[str, int]:
    """The jobs by state (admins only)."""
    require("admin")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    redis_on = bool((app.config.get("REDIS_URL") or "").strip())
    try:
        jobs = status.list_jobs(app)
        unreachable = False
    except redis_errors():
        current_app.logger.warning("jobs page: Redis does not answer", exc_info=True)
        jobs, unreachable = {state: [] for state in status.STATES}, True
    html = render_template(
        "admin_jobs.html",
        jobs=jobs,
        titles={state: _(title) for state, title in STATE_TITLES.items()},
        redis_on=redis_on,
        unreachable=unreachable,
        queue=app.config.get("JOBS_QUEUE"),
    )
    return html, 503 if unreachable else 200


@bp.route("/admin/taches/<job_id>/relancer", methods=["POST"])
def retry_job(job_id: str) -> Response:
    """Put a failed job back on the queue."""
    require("admin")
    if status.retry_failed(current_app._get_current_object(), job_id):  # type: ignore[attr-defined]
        flash(_("La tâche est relancée."), "success")
    else:
        flash(_("Aucune tâche en échec ne porte ce numéro."), "error")
    return redirect(url_for("jobs_admin.jobs_page"))


@bp.route("/admin/taches/<job_id>/supprimer", methods=["POST"])
def delete_job(job_id: str) -> Response:
    """Forget a failed job."""
    require("admin")
    if status.delete_failed(current_app._get_current_object(), job_id):  # type: ignore[attr-defined]
        flash(_("La tâche est supprimée."), "success")
    else:
        flash(_("Aucune tâche en échec ne porte ce numéro."), "error")
    return redirect(url_for("jobs_admin.jobs_page"))
