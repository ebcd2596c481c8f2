"""Markdown written in the app (report narratives), rendered safely: raw HTML is shown as
text, and only http(s) and mailto links are kept. Every block (paragraph, heading, list,
quotation, table cell) is laid out in the direction of its own text."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

from oep.core.i18n import direction_of

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True}).enable("table")


def _safe_link(url: str) -> bool:
    return url.lower().startswith(("http://", "https://", "mailto:"))


_md.validateLink = _safe_link

#: Blocks that take the direction of the first text inside them.
_DIRECTED = {
    "paragraph_open",
    "heading_open",
    "bullet_list_open",
    "ordered_list_open",
    "list_item_open",
    "blockquote_open",
    "th_open",
    "td_open",
}


def _set_directions(state) -> None:
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type in _DIRECTED and not token.hidden:
            text = next((t.content for t in tokens[index + 1 :] if t.type == "inline"), "")
            token.attrSet("dir", direction_of(text) or "auto")


_md.core.ruler.push("text_direction", _set_directions)


def render(text: str) -> Markup:
    return Markup(_md.render(text or ""))
