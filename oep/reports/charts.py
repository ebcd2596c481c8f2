"""The report's charts, drawn by Matplotlib as SVG (vector graphics, text kept as text).

Each chart is drawn from a table of the report, and that table is printed under it: a
reader who would rather read the numbers (or cannot see the chart) has them. Figures are
built with ``matplotlib.figure.Figure`` (no pyplot, no global state), so charts can be
drawn in any thread.
"""

from __future__ import annotations

import base64
import io
import math
import re
from datetime import date

from oep.core.tables import Table
from oep.reports.data import Chart, Report, competence_matrix

WIDTH = 6.7  # inches: the text width of an A4 page with the report's margins
LAYOUT = "constrained"  # labels never cut off
BLUE, ORANGE, GREY, RED = "#1f5f99", "#d9822b", "#8a8f98", "#b3261e"
STYLE = {
    "svg.fonttype": "none",  # text stays text: searchable, selectable, drawn in the page's font
    "svg.hashsalt": "oep-report",  # the same chart gives the same file
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
}


def _short(text: str, limit: int = 42) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _figure(height: float):
    # Matplotlib takes about a second to import: only processes that draw a chart pay for it.
    import matplotlib

    matplotlib.rcParams.update(STYLE)
    from matplotlib.figure import Figure  # lazy, see above

    return Figure(figsize=(WIDTH, height), layout=LAYOUT)


def _svg(fig) -> str:
    out = io.BytesIO()
    fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    text = out.getvalue().decode("utf-8")
    return re.sub(r"^<\?xml[^>]*>\s*<!DOCTYPE[^>]*>\s*", "", text, flags=re.S)


def data_uri(svg: str) -> str:
    """The SVG as a data: URL, for an <img> on a page (allowed by the CSP) and in the PDF."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def bars(title: str, labels: list[str], values: list[float | None], percent: bool = False, colour: str = BLUE) -> str:
    """Horizontal bars, one per label, with the value written at the end of each bar."""
    from matplotlib.ticker import PercentFormatter  # lazy: Matplotlib is slow to import

    fig = _figure(0.9 + 0.28 * max(len(labels), 1))
    ax = fig.add_subplot()
    shown = [v if v is not None else 0 for v in values]
    positions = list(range(len(labels)))[::-1]
    ax.barh(positions, shown, color=colour, height=0.65)
    ax.set_yticks(positions, [_short(label) for label in labels])
    ax.set_title(title)
    top = max(shown + [0])
    for y, value in zip(positions, values, strict=True):
        text = "—" if value is None else (f"{value * 100:.0f} %" if percent else f"{value:g}")
        ax.text((value or 0) + (0.01 if percent else top * 0.01 + 0.01), y, text, va="center", fontsize=8)
    if percent:
        ax.set_xlim(0, 1.1)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    else:
        ax.set_xlim(0, top * 1.15 + 1)
    ax.tick_params(axis="y", length=0)
    return _svg(fig)


def weekly_line(title: str, weeks: list[date], rates: list[float | None], marks_label: str) -> str:
    """Attendance rate week by week: a line, with the average drawn across, so that a falling
    attendance is seen at a glance. Weeks are labelled in the report's language."""
    from flask_babel import format_date
    from matplotlib.ticker import PercentFormatter  # lazy: Matplotlib is slow to import

    fig = _figure(2.6)
    ax = fig.add_subplot()
    points = [(w, r) for w, r in zip(weeks, rates, strict=True) if r is not None]
    if points:
        xs, ys = zip(*points, strict=True)
        ax.plot(xs, ys, color=BLUE, marker="o", markersize=3.5, linewidth=1.6)
        average = sum(ys) / len(ys)
        ax.axhline(average, color=GREY, linewidth=0.8, linestyle="--")
        ax.annotate(marks_label, xy=(xs[0], average), xytext=(0, 4), textcoords="offset points", fontsize=7, color=GREY)
        step = max(1, math.ceil(len(xs) / 9))
        ticks = list(xs[::step])
        ax.set_xticks(ticks, [format_date(t, "d MMM") for t in ticks])
    ax.set_ylim(0, 1.05)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_title(title)
    ax.grid(axis="y", linewidth=0.4, alpha=0.5)
    return _svg(fig)


def heat_map(
    title: str,
    rows: list[str],
    columns: list[str],
    offers: list[list[int]],
    needs: list[list[int]],
    offer_label: str,
    need_label: str,
) -> str:
    """Two heat maps side by side — organisations offering each competence and needing it,
    by organisation type — with the count written in each cell."""
    fig = _figure(1.2 + 0.3 * max(len(rows), 1))
    axes = fig.subplots(1, 2, sharey=True)
    top = max([max(r) for r in offers + needs if r] + [1])
    for ax, matrix, label, cmap in ((axes[0], offers, offer_label, "Blues"), (axes[1], needs, need_label, "Oranges")):
        ax.imshow(matrix or [[0]], cmap=cmap, vmin=0, vmax=top, aspect="auto")
        ax.set_title(label, fontsize=9)
        ax.set_xticks(range(len(columns)), [_short(c, 18) for c in columns], rotation=40, ha="right", fontsize=7)
        for y, line in enumerate(matrix):
            for x, value in enumerate(line):
                if value:
                    ax.text(
                        x,
                        y,
                        str(value),
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="white" if value > top * 0.6 else "black",
                    )
        for side in ("top", "right", "left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.tick_params(length=0)
    axes[0].set_yticks(range(len(rows)), [_short(r, 34) for r in rows])
    fig.suptitle(title, x=0.01, ha="left", fontsize=10, fontweight="bold")
    return _svg(fig)


def change(
    title: str, labels: list[str], before: list[float], after: list[float], before_label: str, after_label: str
) -> str:
    """Start and end averages per line, joined: the length of each line is the change."""
    fig = _figure(1.0 + 0.3 * max(len(labels), 1))
    ax = fig.add_subplot()
    positions = list(range(len(labels)))[::-1]
    for y, b, a in zip(positions, before, after, strict=True):
        ax.plot([b, a], [y, y], color=RED if a < b else BLUE, linewidth=2, zorder=1)
    ax.scatter(before, positions, color=GREY, s=22, zorder=2, label=before_label)
    ax.scatter(after, positions, color=BLUE, s=22, zorder=3, label=after_label)
    for y, b, a in zip(positions, before, after, strict=True):
        ax.text(max(a, b) + 0.08, y, f"{a - b:+.1f}", va="center", fontsize=7.5)
    ax.set_yticks(positions, [_short(label) for label in labels])
    ax.set_xlim(1, 5.6)
    ax.set_xticks([1, 2, 3, 4, 5])
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=7, frameon=False)
    ax.grid(axis="x", linewidth=0.4, alpha=0.5)
    ax.tick_params(axis="y", length=0)
    return _svg(fig)


def _column(table: Table, index: int) -> list:
    return [row[index] for row in table.rows]


def attach(report: Report, progress=None) -> Report:
    """Draw every chart of the report (a chart whose table is empty is left out)."""
    from flask_babel import gettext as _

    step = progress or (lambda name: None)
    charts = []
    if report.organisation_types.rows:
        t = report.organisation_types
        charts.append(Chart("organisation-types", t.title, t, bars(t.title, _column(t, 0), _column(t, 1), colour=BLUE)))
    if report.weeks.rows:
        t = report.weeks
        charts.append(Chart("weeks", t.title, t, weekly_line(t.title, _column(t, 0), _column(t, 4), _("average"))))
    if any(row[4] for row in report.modules.rows):
        t = report.modules
        charts.append(Chart("modules", t.title, t, bars(t.title, _column(t, 0), _column(t, 6), percent=True)))
    cm = report.competence_map
    if cm.rows:
        types = report.competence_types
        offers = [[row[4 + 2 * i] for i in range(len(types))] for row in cm.rows]
        needs = [[row[5 + 2 * i] for i in range(len(types))] for row in cm.rows]
        charts.append(
            Chart(
                "competence-map",
                cm.title,
                competence_matrix(report),
                heat_map(cm.title, _column(cm, 0), types, offers, needs, _("Offered by"), _("Needed by")),
            )
        )
    em = report.empowerment_competences
    if em.rows:
        charts.append(
            Chart(
                "empowerment",
                em.title,
                em,
                change(em.title, _column(em, 0), _column(em, 3), _column(em, 4), _("At the start"), _("At the end")),
            )
        )
    fb = report.feedback_questions
    if any(row[6] for row in fb.rows):
        charts.append(
            Chart(
                "feedback",
                _("Feedback: average rating"),
                fb,
                bars(_("Feedback: average rating (1-5)"), _column(fb, 0), _column(fb, 7), colour=ORANGE),
            )
        )
    report.charts = charts
    step("charts")
    if report.consolidated:  # each site's attendance over time (its modules are a table)
        for section in report.sites:
            site_charts = []
            if section.weeks.rows:
                t = section.weeks
                site_charts.append(
                    Chart("weeks", t.title, t, weekly_line(t.title, _column(t, 0), _column(t, 4), _("average")))
                )
            section.charts = site_charts
            step(f"charts:{section.site_id}")
    return report
