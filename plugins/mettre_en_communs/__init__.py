"""Mettre en communs: the media library (files as wiki pages, uploads, thumbnails,
embedding) and, through the ``reuse_*`` modules, licence checks, credits and exports.

Turn it off with ``DISABLED_PLUGINS = ["mettre_en_communs"]``.
"""

from __future__ import annotations

__version__ = "1.0"

# The reuse helper's hook implementations (names prefixed ``reuse_``) join the plugin here.
from .reuse_hooks import *  # noqa: F403
