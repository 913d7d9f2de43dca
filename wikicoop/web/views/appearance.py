"""Each person's choice of theme, remembered (issue 12, in progress)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("appearance", __name__)
