"""HTML (as Mastodon and other fediverse servers send it) to plain text, keeping links.

Paragraphs become blank lines, `<br>` a newline, list items lines starting with "- ". Mentions and
hashtags keep their visible text (`@gemeente`, `#afval`); other links are written out in full, because
Mastodon shortens the visible part of a URL with hidden spans. A link with its own wording keeps both:
"the plan (https://...)". Scripts and styles are dropped; entities are decoded.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK_END = {"p", "div", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6"}
_SKIP = {"script", "style", "template"}
_URLISH = re.compile(r"^(https?://|www\.)?[\w.-]+\.[a-z]{2,}(/\S*)?…?$", re.IGNORECASE)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._links: list[tuple[str, bool, int]] = []  # href, keep-text-only, index of first part
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip_depth += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag == "a":
            values = dict(attrs)
            classes = (values.get("class") or "").split()
            plain = "mention" in classes or "hashtag" in classes or not values.get("href")
            self._links.append((values.get("href") or "", plain, len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_END:
            self.parts.append("\n\n")
        elif tag == "a" and self._links:
            self._close_link(*self._links.pop())

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)

    def _close_link(self, href: str, plain: bool, start: int) -> None:
        if plain:
            return
        shown = "".join(self.parts[start:]).strip()
        del self.parts[start:]
        if not shown or shown == href or _URLISH.match(shown):
            self.parts.append(href)
        else:
            self.parts.append(f"{shown} ({href})")


def html_to_text(html: str | None) -> str:
    """Plain text of an HTML fragment, with links kept and whitespace tidied."""
    if not html:
        return ""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
