"""``kb serve``: the knowledge base as web pages and a JSON API."""

from __future__ import annotations

import os

from kb.web.app import create_app
from kb.web.guard import Exposure

INDEX_ENV = "KB_INDEX"
HOSTS_ENV = "KB_SERVE_HOSTS"  # the host names the server answers to, comma-separated
AUTH_ENV = "KB_SERVE_AUTH"  # the sign-in token, if any
PUBLIC_ENV = "KB_SERVE_PUBLIC"  # "1" when other machines can connect


def app_from_environment():
    """The app for the index named in KB_INDEX, exposed as ``kb serve`` set out
    in the environment: how each of several server workers
    (``kb serve --workers N``) builds its own copy."""
    hosts = frozenset(filter(None, os.environ.get(HOSTS_ENV, "").split(","))) or Exposure().hosts
    exposure = Exposure(hosts, os.environ.get(AUTH_ENV) or None, os.environ.get(PUBLIC_ENV) == "1")
    return create_app(os.environ[INDEX_ENV], exposure)


__all__ = ["app_from_environment", "create_app"]
