"""How a citizen is shown in the inbox, the department view and on the ticket (`citizen` template filter)."""

from __future__ import annotations

from types import SimpleNamespace

from webcare.web.templating import citizen_html


def contact(handle, name=None):
    return SimpleNamespace(handle=handle, display_name=name)


def test_the_name_then_the_handle_which_may_break_before_its_domain():
    assert citizen_html(contact("anouk_vd@social.example", "Anouk van Dijk")) == \
        'Anouk van Dijk <span class="muted">@anouk_vd<wbr>@social.example</span>'
    assert citizen_html(contact("@jan", "Jan")) == 'Jan <span class="muted">@jan</span>'


def test_a_name_that_is_only_the_handle_is_shown_once():
    for name in (None, "", "burger12@social.example", "@burger12@social.example"):
        assert citizen_html(contact("@burger12@social.example", name)) == "@burger12<wbr>@social.example"


def test_text_is_escaped_and_nothing_known_is_a_dash():
    assert citizen_html(contact("x@y", "<b>Bob</b>")) == '&lt;b&gt;Bob&lt;/b&gt; <span class="muted">@x<wbr>@y</span>'
    assert citizen_html(contact("<i>", None)) == "@&lt;i&gt;"
    assert citizen_html(contact("", None)) == "–"
    assert citizen_html(None) == "–"
