"""The page type of file pages (namespace ``file``): who made the file, where it comes
from, what it shows. The licence is the page's own licence."""

from __future__ import annotations

from typing import Any

TYPE_NAME = "fichier"

FICHIER: dict[str, Any] = {
    "name": TYPE_NAME,
    "label": {"fr": "Fichier (image ou document)", "en": "File (image or document)"},
    "fields": [
        {"name": "auteur", "kind": "text", "label": {"fr": "Auteur ou autrice", "en": "Author"}},
        {"name": "source", "kind": "text", "label": {"fr": "Source", "en": "Source"}},
        {
            "name": "description",
            "kind": "longtext",
            "label": {"fr": "Description", "en": "Description"},
        },
    ],
}
