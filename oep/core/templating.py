"""Template helpers: dates in a site's time zone, texts people write in their own direction,
the navigation for each role."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import request, url_for
from flask_babel import format_date, format_datetime, format_decimal, format_percent, format_time
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from oep.core.i18n import current_direction, direction_of, has_direction_other_than

DATE_STYLES = ("short", "medium", "long", "full")


def localdatetime(value: datetime | None, tz: str | None = None, fmt: str = "medium") -> str:
    """A UTC datetime shown in the time zone ``tz`` (a site's), in the interface's language.

    ``fmt`` is a date style ("short", "medium", "long", "full": the date in that style, then
    the time without seconds) or a CLDR pattern such as "HH:mm".
    """
    if value is None:
        return ""
    if tz:
        value = value.astimezone(ZoneInfo(tz))
    if fmt in DATE_STYLES:
        return f"{format_date(value, fmt)}, {format_time(value, 'short', rebase=False)}"
    return format_datetime(value, fmt, rebase=False)


def localdate(value: date | None, fmt: str = "medium") -> str:
    return format_date(value, fmt) if value else ""


def cell(value, kind: str = "text") -> str:
    """A table cell for a page, by its column's kind (see oep.core.tables.KINDS), in the
    interface's language: 1,234 · 85 % · 12.5 · 3 Mar 2026."""
    if value is None or value == "":
        return "—" if kind != "text" else ""
    if kind == "percent":
        return format_percent(value, "#,##0 %")
    if kind == "int":
        return format_decimal(value, "#,##0")
    if kind == "number":
        return format_decimal(value, "#,##0.0#")
    if kind == "datetime" and isinstance(value, datetime):
        return f"{format_date(value, 'short')} {format_time(value, 'short', rebase=False)}"
    if kind == "date" and isinstance(value, date):
        return format_date(value, "medium")
    return str(value)


def date_range(start: date, end: date) -> list[date]:
    """The days from ``start`` up to, not including, ``end``."""
    return [start + timedelta(days=n) for n in range((end - start).days)]


def navigation() -> list[tuple[str, str, str]]:
    """(endpoint, url, label) for the signed-in user's main menu."""
    if not current_user.is_authenticated:
        return []
    items = [("dashboard.index", _l("Dashboard"))]
    if current_user.is_coordinator:
        items += [
            ("programmes.index", _l("Programmes")),
            ("scheduling.my_schedule", _l("Schedule")),
            ("organisations.review", _l("Review")),
            ("organisations.index", _l("Organisations")),
            ("reports.index", _l("Reports")),
        ]
    elif current_user.is_trainer:
        items += [
            ("scheduling.my_schedule", _l("Schedule")),
            ("programmes.index", _l("My sites")),
            ("organisations.review", _l("Review")),
            ("organisations.index", _l("Organisations")),
            ("reports.index", _l("Reports")),
        ]
    elif current_user.is_contact:
        org_id = current_user.organisation_id
        items += [
            ("organisations.detail", _l("My organisation"), {"org_id": org_id}),
            ("scheduling.organisation_schedule", _l("Schedule"), {"org_id": org_id}),
            ("pairings.mine", _l("Pairing")),
            ("organisations.participants", _l("Participants"), {"org_id": org_id}),
            ("attendance.organisation_overview", _l("Attendance"), {"org_id": org_id}),
            ("certificates.organisation", _l("Certificates"), {"org_id": org_id}),
            ("reports.organisation_summary", _l("Summary"), {"org_id": org_id}),
        ]
    result = []
    for item in items:
        endpoint, label = item[0], item[1]
        kwargs = item[2] if len(item) > 2 else {}
        result.append((endpoint, url_for(endpoint, **kwargs), label))
    return result


def is_current(endpoint: str) -> bool:
    return request.endpoint == endpoint


def nl2br(text: str) -> Markup:
    return Markup("<br>").join(escape(text or "").splitlines())


# --- texts people write, in their own direction -----------------------------------------------
# A name or a description is shown in the direction of its own script, whatever the page's:
# an Arabic description inside an English page reads right to left, with its brackets and full
# stop on the right side. The direction is worked out here (as HTML's dir="auto" would) rather
# than left to the browser, so that WeasyPrint, which ignores dir="auto", prints it alike.


def dir_attr(text) -> Markup:
    """` dir="rtl"` or ` dir="ltr"` for an element holding only ``text``; ` dir="auto"` for a
    text without letters."""
    return Markup(' dir="{}"').format(direction_of(text) or "auto")


def bidi(text) -> Markup:
    """A name or a short text someone wrote, isolated from the sentence or cell around it and
    laid out in its own direction (``<bdi>``), when it holds letters written in the other
    direction than the page's; plain text otherwise (it reads in the page's direction anyway,
    and long tables stay light)."""
    if text is None or text == "":
        return Markup("")
    if not has_direction_other_than(text, current_direction()):
        return escape(text)
    return Markup("<bdi{}>{}</bdi>").format(dir_attr(text), text)


def paragraphs(text, css_class: str = "") -> Markup:
    """A text from a text area as paragraphs (a blank line between two), each in the direction
    of its content; single line breaks are kept."""
    blocks = [block for block in re.split(r"\n\s*\n", str(text or "").strip()) if block.strip()]
    classes = " ".join(filter(None, ["user-text", css_class]))
    return Markup("").join(
        Markup('<p class="{}"{}>{}</p>').format(classes, dir_attr(block), nl2br(block.strip())) for block in blocks
    )


#: Arrows that point the way a text reads ("earlier ←", "→ later", "old → new").
_ARROWS = {("next", "ltr"): "→", ("next", "rtl"): "←", ("back", "ltr"): "←", ("back", "rtl"): "→"}


def arrow(way: str = "next") -> str:
    """ "→" for what comes next (a later page, a new value) in a left-to-right language, "←"
    in a right-to-left one; ``way="back"`` for the opposite."""
    return _ARROWS[(way, current_direction())]


def init_app(app) -> None:
    app.jinja_env.filters["localdatetime"] = localdatetime
    app.jinja_env.filters["localdate"] = localdate
    app.jinja_env.filters["nl2br"] = nl2br
    app.jinja_env.filters["bidi"] = bidi
    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.globals["dir_attr"] = dir_attr
    app.jinja_env.globals["arrow"] = arrow
    app.jinja_env.filters["cell"] = cell
    app.jinja_env.filters["date_range"] = date_range
    app.jinja_env.globals["timedelta"] = timedelta
    app.jinja_env.globals["navigation"] = navigation
    app.jinja_env.globals["is_current"] = is_current
