"""Attendance tables for download: CSV (one table per file) and XLSX (one sheet per table,
typed cells, frozen header row)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from oep.attendance.models import AttendanceStatus
from oep.core.tables import Table, safe_filename
from oep.core.timezones import to_local
from oep.scheduling.queries import roster


def _percent(value: float | None):
    return None if value is None else round(value * 100, 1)


def _local(dt: datetime, tz: str) -> datetime:
    """A naive local datetime: spreadsheets have no time zones, the site's zone is meant."""
    return to_local(dt, tz).replace(tzinfo=None)


def participant_table(lines, title=None) -> Table:
    return Table(
        "participants",
        title or _("Participants"),
        [
            _("Participant"),
            _("Organisation"),
            _("Hours attended"),
            _("Hours planned"),
            _("Attendance rate (%)"),
            _("Share of planned hours (%)"),
            _("Present"),
            _("Late"),
            _("Left early"),
            _("Excused"),
            _("Absent"),
            _("Mandatory modules missing"),
            _("Complete"),
            _("Warnings"),
        ],
        [
            [
                line.participant.name,
                line.participant.organisation.name,
                line.progress.attended_hours,
                line.progress.planned_hours,
                _percent(line.progress.attendance_rate),
                _percent(line.progress.share_of_planned),
                line.progress.present,
                line.progress.late,
                line.progress.left_early,
                line.progress.excused,
                line.progress.absent,
                len(line.progress.missing_mandatory),
                line.progress.complete,
                len(line.warnings),
            ]
            for line in lines
        ],
    )


def site_tables(site, report) -> list[Table]:
    tz = site.timezone
    absentees = participant_table(report.absentees, _("Absentees"))
    absentees.key = "absentees"
    return [
        participant_table(report.participants),
        Table(
            "sessions",
            _("Sessions"),
            [
                _("Start"),
                _("Session"),
                _("Module"),
                _("Hours"),
                _("Marked"),
                _("Present"),
                _("Late"),
                _("Left early"),
                _("Excused"),
                _("Absent"),
                _("Attendance rate (%)"),
            ],
            [
                [
                    _local(line.sched.starts_at, tz),
                    line.sched.title,
                    line.sched.module.title if line.sched.module else "",
                    line.sched.hours,
                    line.marked,
                    *[line.counts.get(s, 0) for s in AttendanceStatus],
                    _percent(line.rate),
                ]
                for line in report.sessions
            ],
        ),
        Table(
            "modules",
            _("Modules"),
            [
                _("Module"),
                _("Mandatory"),
                _("Sessions held"),
                _("Hours held"),
                _("Marks"),
                _("Attended"),
                _("Attendance rate (%)"),
            ],
            [
                [
                    m.module.title,
                    m.module.mandatory,
                    m.sessions_held,
                    m.hours_held,
                    m.marks,
                    m.attended,
                    _percent(m.rate),
                ]
                for m in report.modules
            ],
        ),
        Table(
            "organisations",
            _("Organisations"),
            [_("Organisation"), _("Type"), _("Participants"), _("Complete"), _("Average attendance rate (%)")],
            [
                [o.organisation.name, str(o.organisation.type.label), o.participants, o.complete, _percent(o.rate)]
                for o in report.organisations
            ],
        ),
        absentees,
    ]


def session_tables(sched) -> list[Table]:
    tz = sched.site.timezone
    return [
        Table(
            "roster",
            _("Attendance"),
            [_("Participant"), _("Organisation"), _("Status"), _("Remark"), _("Marked at"), _("Notice of absence")],
            [
                [
                    row.participant.name,
                    row.participant.organisation.name,
                    str(row.attendance.status.label) if row.attendance else "",
                    row.attendance.remark if row.attendance else "",
                    _local(row.attendance.marked_at, tz) if row.attendance else None,
                    row.notice.reason if row.notice else "",
                ]
                for row in roster(sched)
            ],
        )
    ]


def organisation_tables(report) -> list[Table]:
    tables = []
    for site, lines in report.sites:
        table = participant_table(lines, f"{site.programme.name} — {site.city}")
        table.key = safe_filename(f"participants-{site.city}").lower()
        tables.append(table)
    return tables or [participant_table([])]
