"""`webcare channels add|list|test`: JSON out, exit 2 on bad input, tokens only via stdin."""

from __future__ import annotations

import json

from tests.fakes.linkedin import ORG, ORG_ID, TOKEN, linkedin  # noqa: F401  (fixture)
from tests.fakes.mastodon import mastodon  # noqa: F401  (fixture)
from tests.fakes.tiktok import BUSINESS_ID, tiktok  # noqa: F401  (fixture)
from webcare import platforms
from webcare.models import Channel
from webcare.models.channel import PLATFORMS


def test_add_list_and_test_a_mastodon_channel(cli, mastodon):  # noqa: F811
    result = cli("channels", "add", "--platform", "mastodon", "--name", "Mastodon gemeente",
                 "--base-url", mastodon.base_url, "--token-stdin", input="gemeente-token\n")
    assert result.exit_code == 0, result.output
    added = json.loads(result.output)
    assert added["name"] == "Mastodon gemeente" and "token" not in result.output.lower()

    tested = cli("channels", "test", str(added["id"]))
    assert tested.exit_code == 0, tested.output
    assert json.loads(tested.output)["account"]["handle"] == "@gemeente@mock.local"

    [listed] = json.loads(cli("channels", "list").output)
    assert listed["handle"] == "@gemeente@mock.local" and listed["state"] == "never_polled"


def test_a_refused_token_exits_1_and_marks_the_channel(cli, mastodon):  # noqa: F811
    added = json.loads(cli("channels", "add", "--platform", "mastodon", "--name", "M", "--base-url",
                           mastodon.base_url, "--token-stdin", input="fout\n").output)
    result = cli("channels", "test", str(added["id"]))
    assert result.exit_code == 1 and json.loads(result.stdout)["kind"] == "NeedsReauth"
    assert result.stderr.startswith("error: the platform refused or could not be reached: ")
    assert json.loads(cli("channels", "list").output)[0]["state"] == "needs_reauth"


def test_bad_input_exits_2(cli):
    base = ["channels", "add", "--platform", "mastodon", "--name", "M", "--base-url", "https://a.example"]
    assert cli(*base).exit_code == 2  # no --token-stdin
    assert cli(*base, "--token-stdin", input="\n").exit_code == 2  # empty token
    for platform in [p for p in PLATFORMS if p not in platforms.supported_platforms()]:  # none once all are built
        no_adapter = cli("channels", "add", "--platform", platform, "--name", "L", "--token-stdin", input="t\n")
        assert no_adapter.exit_code == 2 and "not supported" in no_adapter.output
    assert cli(*base, "--token-stdin", input="t\n").exit_code == 0
    duplicate = cli(*base, "--token-stdin", input="t\n")
    assert duplicate.exit_code == 2 and "already exists" in duplicate.output
    assert cli("channels", "test", "999").exit_code == 2
    for url in ("ftp://x", "http://[::1", "https://a.example:99999"):  # the second was a traceback (ValueError)
        bad_url = cli("channels", "add", "--platform", "mastodon", "--name", "N", "--base-url", url,
                      "--token-stdin", input="t\n")
        assert bad_url.exit_code == 2 and "http(s) URL" in bad_url.stderr
    with_password = cli("channels", "add", "--platform", "mastodon", "--name", "N", "--base-url",
                        "https://beheer:geheim@social.example", "--token-stdin", input="t\n")
    assert with_password.exit_code == 2 and "user name or password" in with_password.stderr
    assert "geheim" not in with_password.output  # it was stored and printed, and shown on the admin pages
    invisible = cli(*base[:5], "Z", *base[6:], "--token-stdin", input="gemeente-token\u200b\n")  # copied along
    assert invisible.exit_code == 2 and "token contains a character" in invisible.stderr
    bad_handle = cli("channels", "add", "--platform", "mastodon", "--name", "H", "--base-url", "https://a.example",
                     "--handle", "@@@ ###", "--token-stdin", input="t\n")
    assert bad_handle.exit_code == 2 and "handle" in bad_handle.output


def test_linkedin_and_tiktok_channels_need_their_account(cli, runtime, linkedin, tiktok):  # noqa: F811
    base = ["channels", "add", "--platform", "linkedin", "--name", "LinkedIn gemeente", "--base-url", linkedin.base_url]
    missing = cli(*base, "--token-stdin", input=f"{TOKEN}\n")
    assert missing.exit_code == 2 and "organisation" in missing.output
    added = json.loads(cli(*base, "--account-id", ORG_ID, "--token-stdin", input=f"{TOKEN}\n").output)
    tested = json.loads(cli("channels", "test", str(added["id"])).output)
    assert tested["ok"] and tested["account"]["id"] == ORG and tested["account"]["handle"] == "gemeente-voorbeeldstad"

    answer = json.dumps({"access_token": "act.gemeente", "expires_in": 86400, "open_id": BUSINESS_ID})
    added = json.loads(cli("channels", "add", "--platform", "tiktok", "--name", "TikTok gemeente", "--base-url",
                           tiktok.base_url, "--token-stdin", input=answer + "\n").output)
    tested = json.loads(cli("channels", "test", str(added["id"])).output)
    assert tested["ok"] and tested["account"]["handle"] == "@gemeentevoorbeeldstad"
    with runtime.transaction() as s:
        stored = s.info["secrets"].decrypt_json(s.get(Channel, added["id"]).credentials_encrypted)
    assert stored["business_id"] == BUSINESS_ID and stored["expires_at"]
