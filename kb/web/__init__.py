"""``kb serve``: the knowledge base as web pages and a JSON API."""

from __future__ import annotations

import os

from kb.web.app import create_app

INDEX_ENV = "KB_INDEX"


def app_from_environment():
    """The app for the index named in KB_INDEX: how each of several server
    workers (``kb serve --workers N``) builds its own copy."""
    return create_app(os.environ[INDEX_ENV])


__all__ = ["app_from_environment", "create_app"]
