"""Markdown written in the app (report narratives), rendered safely: raw HTML is shown as
text, and only http(s) and mailto links are kept."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True}).enable("table")


def _safe_link(url: str) -> bool:
    return url.lower().startswith(("http://", "https://", "mailto:"))


_md.validateLink = _safe_link


def render(text: str) -> Markup:
    return Markup(_md.render(text or ""))
