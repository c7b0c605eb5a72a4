"""Departments, categories, channels and routing rules page like every API list: `limit` and `cursor`."""

from __future__ import annotations

import base64

import pytest

from tests import factories as f

LISTS = {"/departments": "code", "/categories": "code", "/channels": "name", "/rules": None}


@pytest.fixture
def get(client, session, cli):
    f.seeded(session)
    admin = f.user(session, "admin")
    for name in ("Mastodon Voorbeeldstad", "Facebook Voorbeeldstad", "Bluesky Voorbeeldstad"):
        f.channel(session, name=name)
    session.commit()
    headers = {"Authorization": f"Bearer {cli('create-token', admin.email).output.strip()}"}
    return lambda path: client.get(f"/api/v1{path}", headers=headers)


def _walk(get, path: str, limit: int) -> list[dict]:
    items, cursor, pages = [], "", 0
    while True:
        body = get(f"{path}?limit={limit}" + (f"&cursor={cursor}" if cursor else "")).get_json()
        items += body["items"]
        pages += 1
        assert pages < 200
        if body["next_cursor"] is None:
            return items
        assert len(body["items"]) == limit
        cursor = body["next_cursor"]


@pytest.mark.parametrize("path", LISTS)
def test_pages_of_two_give_the_whole_list_once_in_order(get, path):
    whole = get(path).get_json()
    assert whole["next_cursor"] is None and len(whole["items"]) >= 3
    assert _walk(get, path, 2) == whole["items"]
    assert _walk(get, path, 1) == whole["items"]
    key = LISTS[path]
    if key:
        assert [item[key] for item in whole["items"]] == sorted(item[key] for item in whole["items"])


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("query", ["limit=0", "limit=201", "limit=abc", "cursor=%%%", "cursor=garbage", "bogus=1",
                                   "cursor=" + base64.urlsafe_b64encode(b'[true]').decode(),
                                   "cursor=" + base64.urlsafe_b64encode(b'[1e300, 1]').decode(),
                                   "cursor=" + base64.urlsafe_b64encode(b'["a", "b", "c"]').decode()])
def test_bad_limit_or_cursor_is_400(get, path, query):
    response = get(f"{path}?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"]


def test_a_row_added_between_pages_neither_repeats_nor_hides_one(get, session):
    first = get("/channels?limit=2").get_json()
    f.channel(session, name="Aaa eerst")  # sorts before the page already seen
    f.channel(session, name="Zzz laatst")
    session.commit()
    rest = get(f"/channels?limit=200&cursor={first['next_cursor']}").get_json()["items"]
    names = [c["name"] for c in first["items"] + rest]
    assert len(names) == len(set(names)) and names[-1] == "Zzz laatst" and "Aaa eerst" not in names
