"""Fixtures shared by the web tests."""

from __future__ import annotations

import pytest

from tests import factories as f


@pytest.fixture
def admin(session, client):
    """An administrator, logged in on `client`."""
    return f.logged_in(session, client, "admin")
