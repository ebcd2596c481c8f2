"""The dashboard: what waits for the user, by role."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from oep.accounts.models import Role
from oep.attendance import queries as attendance_queries
from oep.core.access import roles_required
from oep.core.db import utcnow
from oep.extensions import db
from oep.feedback import queries as feedback_queries
from oep.feedback.services import needs_of
from oep.organisations import queries as org_queries
from oep.programmes import queries as programme_queries
from oep.scheduling import queries as schedule_queries

bp = Blueprint("dashboard", __name__)


@bp.route("/dashboard")
@roles_required(Role.COORDINATOR, Role.TRAINER, Role.CONTACT)
def index():
    context = {
        "upcoming": schedule_queries.upcoming_for(current_user),
        "warnings": attendance_queries.warnings_for(current_user),
    }
    if current_user.is_contact:
        organisation = current_user.organisation
        context.update(
            organisation=organisation,
            enrolments=org_queries.organisation_enrolments(organisation, current_user),
            participant_count=org_queries.participant_count(organisation),
            competence_count=len(org_queries.organisation_competences(organisation)),
            assessment_due=_assessment_due(organisation),
        )
    else:
        programmes = programme_queries.programmes_for(current_user)
        context.update(
            pending=org_queries.pending_count(current_user),
            programmes=programmes,
            sites=[s for p in programmes for s in p.sites if current_user.is_coordinator or s in current_user.sites],
        )
    return render_template("dashboard/index.html", **context)


def _assessment_due(organisation) -> bool:
    """Whether the organisation has a self-assessment to give: the start once it is
    accepted, the end once that opens."""
    if not needs_of(db.session, organisation):
        return False
    rounds = feedback_queries.assessment_rounds(organisation, utcnow().date())
    return any(not r.start or (r.end_open and not r.end) for r in rounds)
