"""Building the demo programme through the same services the app uses."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from oep.accounts import services as accounts
from oep.accounts.models import Role, User
from oep.attendance import completion
from oep.attendance import models as attendance_model
from oep.attendance import services as attendance
from oep.attendance.models import AttendanceStatus
from oep.core.db import Base, utcnow
from oep.core.i18n import is_interface_language
from oep.core.uploads import store_image
from oep.demo import data
from oep.feedback import services as feedback
from oep.feedback.models import AssessmentPhase, SessionFeedback
from oep.organisations import services as organisations
from oep.organisations.models import (
    CompetenceDirection,
    Enrolment,
    EnrolmentStatus,
    Organisation,
    OrganisationType,
    Participant,
)
from oep.pairings import services as pairings
from oep.pairings.models import Pairing, PairingStatus, ProjectStatus
from oep.programmes import services as programmes
from oep.programmes.models import CommitteeCategory
from oep.reports import services as reports
from oep.reports.models import NarrativeSection
from oep.scheduling import services as scheduling
from oep.scheduling.models import ScheduledSession, SessionKind, SessionStatus

#: The demo's log-ins. Demo data only: never load the demo into a real deployment.
COORDINATOR = ("coordinator@example.org", "demo-coordinator-2026")
TRAINER = ("trainer.palermo@example.org", "demo-trainer-2026")
CONTACT = ("contact@example.org", "demo-contact-2026")


@dataclass
class DemoSummary:
    sites: int
    organisations: int
    participants: int
    logins: list[tuple[str, str, str]]


def database_is_empty(session: Session) -> bool:
    return session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def clear_database(session: Session) -> None:
    for table in reversed(Base.metadata.sorted_tables):
        session.execute(table.delete())


def load_demo(session: Session, seed: int = 2026, today: date | None = None) -> DemoSummary:
    rng = random.Random(seed)
    today = today or date.today()
    hashes = {password: accounts.hash_password(password) for _email, password in (COORDINATOR, TRAINER, CONTACT)}

    coordinator = accounts.create_user(
        session, email=COORDINATOR[0], name="Sofia Marino", role=Role.COORDINATOR, password_hash=hashes[COORDINATOR[1]]
    )
    accounts.create_user(
        session,
        email="coordinator.assistant@example.org",
        name="Jonas Berg",
        role=Role.COORDINATOR,
        password_hash=hashes[COORDINATOR[1]],
    )

    starts = today - timedelta(days=60)
    emblem, signature = _demo_pictures()
    programme = programmes.create_programme(
        session,
        programmes.ProgrammeData(
            name={"en": data.PROGRAMME["name"], **data.PROGRAMME_NAME},
            description=data.PROGRAMME["description"],
            starts_on=starts,
            ends_on=starts + timedelta(days=300),
            languages=data.PROGRAMME["languages"],
            registration_open=True,
            completion_min_attendance_percent=80,
            completion_requires_mandatory_modules=True,
            certificate_signatory_name=data.PROGRAMME["signatory"][0],
            certificate_signatory_title={"en": data.PROGRAMME["signatory"][1], **data.SIGNATORY_TITLE},
            funder_acknowledgement=None,  # the EU's own wording in each of the programme's EU languages
            emblem_file=emblem,
            certificate_signature_file=signature,
        ),
    )
    for title, summary, hours, mandatory in data.MODULES:
        programmes.add_module(
            session,
            programme,
            programmes.ModuleData(
                title={"en": title, **data.MODULE_TITLES[title]},
                summary=summary,
                hours=Decimal(hours),
                mandatory=mandatory,
            ),
        )

    competences = {
        name: organisations.add_competence(session, name, description) for name, description in data.COMPETENCES
    }

    organisation_count = participant_count = 0
    contact_number = 0
    for site_data in data.SITES:
        trainers = []
        for name, email in site_data["trainers"]:
            password_hash = hashes[TRAINER[1]]
            trainers.append(
                accounts.create_user(session, email=email, name=name, role=Role.TRAINER, password_hash=password_hash)
            )
        site = programmes.create_site(
            session,
            programme,
            programmes.SiteData(
                city={"en": site_data["city"], **data.CITY_NAMES[site_data["city"]]},
                country=site_data["country"],
                timezone=site_data["timezone"],
                local_language=site_data["local_language"],
                partner_organisation=site_data["partner"],
                trainer_ids=[trainer.id for trainer in trainers],
            ),
        )
        for name, org, category in site_data["committee"]:
            programmes.add_committee_member(
                session,
                site,
                programmes.CommitteeMemberData(name=name, organisation=org, category=CommitteeCategory(category)),
            )

        for index, (name, org_type, sector, languages) in enumerate(site_data["organisations"]):
            contact_number += 1
            email = CONTACT[0] if contact_number == 1 else f"contact{contact_number}@example.org"
            locale = "en" if contact_number == 1 or rng.random() < 0.4 else site_data["local_language"]
            enrolment = organisations.register_organisation(
                session,
                site,
                organisations.RegistrationData(
                    organisation=organisations.OrganisationData(
                        name=name,
                        type=OrganisationType(org_type),
                        sector=sector,
                        city=site_data["city"],
                        website=f"https://www.example.org/{contact_number}",
                        languages=languages,
                        description=f"{sector} in {site_data['city']}.",
                    ),
                    contact_name=_person_name(
                        rng, site_data["local_language"] if org_type != "migrant_association" else "world"
                    ),
                    email=email,
                    password=None,
                    consent=True,
                    locale=locale,
                ),
                password_hash=hashes[CONTACT[1]],
                notify=False,
            )
            organisation = enrolment.organisation
            organisation_count += 1
            _declare_competences(session, rng, organisation, org_type, competences)

            # Most are accepted; the last few of each site wait for review, one is waitlisted.
            if index < 9:
                organisations.decide_enrolment(session, enrolment, EnrolmentStatus.ACCEPTED, "", coordinator)
                people = rng.randint(4, 6)
            elif index == 9:
                organisations.decide_enrolment(
                    session,
                    enrolment,
                    EnrolmentStatus.WAITLISTED,
                    "The course in this city is full; we will offer you the next free place.",
                    coordinator,
                )
                people = 1
            else:
                people = 2
            for _ in range(people):
                origin = (
                    "world" if org_type == "migrant_association" or rng.random() < 0.25 else site_data["local_language"]
                )
                language = (
                    site_data["local_language"]
                    if origin != "world"
                    else rng.choice([site_data["local_language"], "en"])
                )
                # Every other newcomer prefers a language of their association that OEP speaks
                # (Arabic, Ukrainian...), so that the demo has certificates in those languages.
                own = [code for code in languages if is_interface_language(code) and code not in ("en", language)]
                if origin == "world" and own and participant_count % 2 == 0:
                    language = own[participant_count // 2 % len(own)]
                organisations.add_participant(
                    session,
                    organisation,
                    organisations.ParticipantData(
                        name=_person_name(rng, origin),
                        email="" if rng.random() < 0.3 else f"p{participant_count + 1}@example.org",
                        preferred_language=language,
                        consent=True,
                    ),
                )
                participant_count += 1
    _schedule(session, rng, programme, coordinator, today)
    _pair(session, programme, coordinator, today)
    _report_material(session, rng, programme, coordinator)
    # Demo mails are not sent: drop what the services queued.
    session.info.pop("oep_pending_mail", None)
    return DemoSummary(
        sites=len(data.SITES),
        organisations=organisation_count,
        participants=participant_count,
        logins=[
            ("coordinator", *COORDINATOR),
            ("trainer (Palermo)", *TRAINER),
            ("organisation contact", *CONTACT),
        ],
    )


#: Weekday of each site's course evenings (Monday = 0).
COURSE_WEEKDAY = {"Palermo": 1, "Athens": 2, "Kassel": 3, "Aarhus": 0, "Thessaloniki": 1}
#: Athens runs an intensive course (two evenings a week) and has finished it: its
#: participants can already be given their certificates.
INTENSIVE = {"Athens"}
#: In Kassel attendance falls over the last weeks — what the report must make visible.
FALLING = {"Kassel"}


def _schedule(session: Session, rng: random.Random, programme, coordinator, today: date) -> None:
    """A course evening a week per site (each module in sessions of its length), attendance for
    those already held, and the coming events, meetings and bookings."""
    modules = sorted(programme.modules, key=lambda m: m.position)
    for site in programme.sites:
        trainer_ids = [t.id for t in site.trainers]
        weekday = COURSE_WEEKDAY.get(site.city.main, 1)
        day = programme.starts_on + timedelta(days=(weekday - programme.starts_on.weekday()) % 7)
        course = []
        for module in modules:
            hours = int(module.hours)
            parts = 2 if hours >= 4 else 1
            for _ in range(parts):
                length = hours // parts
                course_session = scheduling.SessionData(
                    kind=SessionKind.COURSE,
                    title="",
                    day=day,
                    start=time(17, 30),
                    end=(datetime.combine(day, time(17, 30)) + timedelta(hours=length)).time(),
                    module_id=module.id,
                    venue=site.partner_organisation,
                    language=site.local_language,
                    status=SessionStatus.CONFIRMED,
                    trainer_ids=trainer_ids,
                )
                course.append(scheduling.create_session(session, site, course_session, coordinator))
                day += timedelta(days=(3 if len(course) % 2 else 4) if site.city.main in INTENSIVE else 7)
        people = session.scalars(
            sa.select(Participant)
            .where(Participant.id.in_(completion.roster_ids_of_site(site)))
            .order_by(Participant.id)
        ).all()
        strugglers = set(rng.sample([p.id for p in people], k=min(2, len(people))))
        trainer = site.trainers[0] if site.trainers else coordinator
        now = utcnow()
        held_count = sum(1 for s in course if s.ends_at <= now)
        for number, sched in enumerate(course):
            if sched.ends_at > now:
                continue
            falling = site.city.main in FALLING and number >= held_count - 3
            marks = []
            for person in people:
                roll = rng.random()
                if falling and roll < 0.4:
                    status = AttendanceStatus.ABSENT
                elif person.id in strugglers:
                    status = AttendanceStatus.ABSENT if roll < 0.55 else AttendanceStatus.PRESENT
                elif roll < 0.91:
                    status = AttendanceStatus.PRESENT
                elif roll < 0.96:
                    status = AttendanceStatus.LATE
                elif roll < 0.97:
                    status = AttendanceStatus.LEFT_EARLY
                elif roll < 0.985:
                    status = AttendanceStatus.EXCUSED
                else:
                    status = AttendanceStatus.ABSENT
                marks.append(attendance.Mark(person.id, status, ""))
            attendance.save_marks(session, sched, marks, trainer)
        upcoming = [s for s in course if s.starts_at > now]
        if upcoming and people:
            scheduling.give_notice(session, upcoming[0], people[0], "Work shift that evening", trainer)
        event_day = today + timedelta(days=10 + rng.randint(0, 6))
        event = scheduling.create_session(
            session,
            site,
            scheduling.SessionData(
                kind=SessionKind.EVENT,
                title={
                    code: title.format(city=site.city.localize(code, ["en"]))
                    for code, title in data.OPEN_EVENING_TITLE.items()
                },
                day=event_day,
                start=time(18, 0),
                end=time(21, 0),
                venue=site.partner_organisation,
                capacity=30,
                language=site.local_language,
                is_public=True,
                status=SessionStatus.CONFIRMED,
                description=data.OPEN_EVENING_DESCRIPTION,
                speakers=[
                    scheduling.SpeakerData("Local committee", "Welcome"),
                    scheduling.SpeakerData("A pairing of the programme", "Our workshop", confirmed=False),
                ],
            ),
            coordinator,
        )
        scheduling.book(session, event, people[:8], coordinator)
        scheduling.create_session(
            session,
            site,
            scheduling.SessionData(
                kind=SessionKind.MEETING,
                title=f"Intercultural City Committee — {site.city.main}",
                day=today + timedelta(days=20),
                start=time(16, 0),
                end=time(18, 0),
                venue=site.partner_organisation,
                language=site.local_language,
                status=SessionStatus.TENTATIVE,
                trainer_ids=trainer_ids,
            ),
            coordinator,
        )


def _pair(session: Session, programme, coordinator, today: date) -> None:
    """Run the matcher at every site. Elsewhere the suggestions are confirmed and the pairings
    have met; in Palermo only the demo contact's pairing is confirmed, so that a trainer finds
    fresh suggestions, their reasons and the organisations left out."""
    demo_org = session.scalar(sa.select(User).where(User.email == CONTACT[0])).organisation_id
    for site in programme.sites:
        pairings.run_matcher(session, site, coordinator)
        proposed = session.scalars(
            sa.select(Pairing).where(Pairing.site_id == site.id, Pairing.status == PairingStatus.PROPOSED)
        ).all()
        if site.city.main == "Palermo":
            proposed = [p for p in proposed if demo_org in [m.organisation_id for m in p.members]]
        confirmed = pairings.confirm(session, proposed, coordinator)
        for index, pairing in enumerate(confirmed):
            names = " and ".join(o.name for o in pairing.organisations)
            pairings.add_meeting(
                session,
                pairing,
                pairings.MeetingData(
                    held_on=today - timedelta(days=20),
                    attendees="Both contact persons",
                    notes=f"First meeting of {names}: we presented our organisations and what we want to learn.",
                    next_steps="Agree on the topic of our community workshop.",
                ),
                coordinator,
            )
            if index % 2 == 0 or demo_org in [m.organisation_id for m in pairing.members]:
                pairings.save_project(
                    session,
                    pairing,
                    pairings.ProjectData(
                        title="Community workshop: applying for a small grant",
                        description="A hands-on afternoon in which members of both "
                        "organisations prepare a real application together.",
                        target_group="Volunteers of small associations",
                        resources_needed="A room, two laptops, coffee",
                        status=ProjectStatus.PLANNING,
                    ),
                    coordinator,
                )
            if demo_org in [m.organisation_id for m in pairing.members] or index == 0:
                workshop = scheduling.create_session(
                    session,
                    site,
                    scheduling.SessionData(
                        kind=SessionKind.WORKSHOP,
                        title="Skill-transfer workshop: fundraising for beginners",
                        day=today - timedelta(days=6),
                        start=time(18, 0),
                        end=time(20, 0),
                        pairing_id=pairing.id,
                        venue=site.partner_organisation,
                        language=site.local_language,
                        is_public=True,
                        status=SessionStatus.CONFIRMED,
                    ),
                    coordinator,
                )
                workshop.status = SessionStatus.HELD
                scheduling.record_headcount(session, workshop, 34, 19, 12)


def _report_material(session: Session, rng: random.Random, programme, coordinator) -> None:
    """What the report needs beyond the course: feedback on held sessions, the organisations'
    self-assessments (at the start everywhere; at the end in Athens, which has finished), and
    the narratives of the sites."""
    held = session.scalars(
        sa.select(ScheduledSession).where(ScheduledSession.status == SessionStatus.HELD).order_by(ScheduledSession.id)
    ).all()
    for sched in held:
        attended = session.scalars(
            sa.select(Participant)
            .join(attendance_model.Attendance, attendance_model.Attendance.participant_id == Participant.id)
            .where(
                attendance_model.Attendance.session_id == sched.id,
                attendance_model.Attendance.status.in_(completion.ATTENDED),
            )
            .order_by(Participant.id)
        ).all()
        for person in rng.sample(attended, k=len(attended) // 3):
            base = rng.choice([3, 4, 4, 5, 5])
            ratings = {q: max(1, min(5, base + rng.choice([-1, 0, 0, 1]))) for q in ("useful", "clear", "organised")}
            session.add(
                SessionFeedback(
                    session_id=sched.id,
                    respondent=feedback.respondent_key(sched, person),
                    comment=rng.choice(data.FEEDBACK_COMMENTS) if rng.random() < 0.2 else "",
                    created_at=sched.ends_at + timedelta(minutes=rng.randint(5, 600)),
                    **ratings,
                )
            )
    for site in programme.sites:
        finished = site.city.main in INTENSIVE
        organisations_here = session.scalars(
            sa.select(Enrolment.organisation_id).where(
                Enrolment.site_id == site.id, Enrolment.status == EnrolmentStatus.ACCEPTED
            )
        ).all()
        for organisation_id in organisations_here:
            organisation = session.get(Organisation, organisation_id)
            needs = feedback.needs_of(session, organisation)
            if not needs or rng.random() < 0.1:
                continue
            start = {n.competence_id: rng.randint(1, 3) for n in needs}
            feedback.save_self_assessment(
                session, organisation, programme, AssessmentPhase.START, start, end_open=False
            )
            if finished:
                end = {cid: min(5, rating + rng.choice([0, 1, 1, 2, 2])) for cid, rating in start.items()}
                feedback.save_self_assessment(session, organisation, programme, AssessmentPhase.END, end, end_open=True)
        texts = {NarrativeSection(key): text for key, text in data.NARRATIVES.items()}
        if site.city.main not in ("Palermo", "Athens"):
            texts = {NarrativeSection.CONTEXT: texts[NarrativeSection.CONTEXT]}
        reports.save_narratives(session, site, texts, coordinator)


def _demo_pictures() -> tuple[str, str]:
    """A funder emblem (twelve gold stars on blue) and a signature, drawn for the demo and
    stored like uploads."""
    import io
    import math

    from PIL import Image, ImageDraw  # lazy: Pillow is only needed when the demo is loaded
    from werkzeug.datastructures import FileStorage

    emblem = Image.new("RGB", (300, 200), (0, 51, 153))
    draw = ImageDraw.Draw(emblem)
    for k in range(12):
        angle = 2 * math.pi * k / 12
        x, y = 150 + 66 * math.sin(angle), 100 - 66 * math.cos(angle)
        star = [
            (
                x + (9 if i % 2 == 0 else 3.6) * math.sin(math.pi * i / 5),
                y - (9 if i % 2 == 0 else 3.6) * math.cos(math.pi * i / 5),
            )
            for i in range(10)
        ]
        draw.polygon(star, fill=(255, 204, 0))
    signature = Image.new("RGB", (400, 120), (255, 255, 255))
    pen = ImageDraw.Draw(signature)
    points = [(20 + t * 3.6, 70 + 28 * math.sin(t / 6.0) * math.cos(t / 17.0)) for t in range(100)]
    pen.line(points, fill=(20, 30, 80), width=4)
    names = []
    for image in (emblem, signature):
        out = io.BytesIO()
        image.save(out, "PNG")
        out.seek(0)
        names.append(store_image(FileStorage(out, filename="demo.png"), "demo"))
    return names[0], names[1]


def _person_name(rng: random.Random, origin: str) -> str:
    return f"{rng.choice(data.FIRST_NAMES[origin])} {rng.choice(data.LAST_NAMES[origin])}"


def _declare_competences(session, rng, organisation, org_type, competences) -> None:
    kind = org_type if org_type in data.OFFER_BIAS else "other"
    offers = rng.sample(data.OFFER_BIAS[kind], k=min(3, len(data.OFFER_BIAS[kind])))
    needs = [n for n in rng.sample(data.NEED_BIAS[kind], k=min(3, len(data.NEED_BIAS[kind]))) if n not in offers]
    choices = [
        organisations.CompetenceChoice(competences[name].id, CompetenceDirection.OFFER, rng.randint(1, 3))
        for name in offers
    ] + [
        organisations.CompetenceChoice(competences[name].id, CompetenceDirection.NEED, rng.randint(1, 3))
        for name in needs
    ]
    session.flush()
    organisations.set_competences(session, organisation, choices)
