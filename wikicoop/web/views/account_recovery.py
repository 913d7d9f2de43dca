"""Accounts people can keep: password reset and e-mail change (issue 12, in progress)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("auth_recovery", __name__)
