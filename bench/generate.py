"""Fill a database with a national-scale edition, fast (bulk inserts, no per-row ORM work).

20 sites, 1,000 organisations, 5,000 participants, 2,000 sessions and 100,000 attendance
marks by default — the size PRODUCT.md says OEP must serve without strain.

    python -m bench.generate --database-url sqlite:///bench/out/national.sqlite
"""

from __future__ import annotations

import argparse
import random
import secrets
import time as clock
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from oep.core.timezones import to_utc

CITIES = [
    ("Palermo", "IT", "Europe/Rome", "it"),
    ("Athens", "GR", "Europe/Athens", "el"),
    ("Kassel", "DE", "Europe/Berlin", "de"),
    ("Aarhus", "DK", "Europe/Copenhagen", "da"),
    ("Thessaloniki", "GR", "Europe/Athens", "el"),
    ("Bologna", "IT", "Europe/Rome", "it"),
    ("Leipzig", "DE", "Europe/Berlin", "de"),
    ("Odense", "DK", "Europe/Copenhagen", "da"),
    ("Patras", "GR", "Europe/Athens", "el"),
    ("Turin", "IT", "Europe/Rome", "it"),
    ("Bremen", "DE", "Europe/Berlin", "de"),
    ("Aalborg", "DK", "Europe/Copenhagen", "da"),
    ("Heraklion", "GR", "Europe/Athens", "el"),
    ("Naples", "IT", "Europe/Rome", "it"),
    ("Dresden", "DE", "Europe/Berlin", "de"),
    ("Esbjerg", "DK", "Europe/Copenhagen", "da"),
    ("Larissa", "GR", "Europe/Athens", "el"),
    ("Genoa", "IT", "Europe/Rome", "it"),
    ("Hanover", "DE", "Europe/Berlin", "de"),
    ("Vejle", "DK", "Europe/Copenhagen", "da"),
]
TYPES = [
    "cso",
    "migrant_association",
    "cso",
    "migrant_association",
    "faith_community",
    "education",
    "business",
    "union",
    "other",
]
STATUSES = ["present"] * 80 + ["late"] * 7 + ["left_early"] * 3 + ["excused"] * 4 + ["absent"] * 6


@dataclass
class Scale:
    sites: int = 20
    organisations: int = 1000
    participants: int = 5000
    sessions: int = 2000
    marks: int = 100_000


def generate(engine: sa.Engine, scale: Scale | None = None, seed: int = 7, password: str = "bench-password-1") -> dict:
    """Write the whole edition into an empty schema; returns ids worth timing."""
    scale = scale or Scale()
    rng = random.Random(seed)
    meta = sa.MetaData()
    meta.reflect(engine)
    t = meta.tables
    now = datetime.now(UTC).replace(microsecond=0)
    started = clock.perf_counter()
    hashed = generate_password_hash(password, method="pbkdf2:sha256:1000")
    per_site_orgs = scale.organisations // scale.sites
    per_org_people = scale.participants // scale.organisations
    per_site_sessions = scale.sessions // scale.sites
    per_site_people = per_site_orgs * per_org_people
    held_per_site = max(1, scale.marks // (scale.sites * per_site_people))

    with engine.begin() as conn:
        programme_id = conn.execute(
            t["programmes"].insert().returning(t["programmes"].c.id),
            dict(
                name="National edition (benchmark)",
                description="",
                starts_on=date.today() - timedelta(days=200),
                ends_on=date.today() + timedelta(days=165),
                languages=["en"],
                registration_open=True,
                completion_min_attendance_percent=80,
                completion_requires_mandatory_modules=True,
                left_early_credit_percent=50,
                warning_min_held_sessions=3,
                warning_consecutive_absences=3,
                checkin_opens_minutes=30,
                checkin_grace_minutes=10,
                checkin_code_seconds=30,
                certificate_signatory_name="",
                certificate_signatory_title="",
                funder_acknowledgement="Co-funded by the European Union",
                created_at=now,
            ),
        ).scalar_one()
        module_ids = [
            conn.execute(
                t["modules"].insert().returning(t["modules"].c.id),
                dict(
                    programme_id=programme_id,
                    position=i,
                    title=f"Module {i}",
                    summary="",
                    learning_outcomes="",
                    hours=4,
                    mandatory=i <= 5,
                ),
            ).scalar_one()
            for i in range(1, 9)
        ]
        conn.execute(
            t["users"].insert(),
            [
                dict(
                    email="coordinator@bench.example",
                    name="Bench Coordinator",
                    password_hash=hashed,
                    role="coordinator",
                    locale="en",
                    is_active=True,
                    session_token=secrets.token_urlsafe(16),
                    created_at=now,
                )
            ],
        )
        site_ids, trainer_ids = [], []
        for index in range(scale.sites):
            city, country, tz, lang = CITIES[index % len(CITIES)]
            site_id = conn.execute(
                t["sites"].insert().returning(t["sites"].c.id),
                dict(
                    programme_id=programme_id,
                    city=f"{city}" if index < len(CITIES) else f"{city} {index}",
                    country=country,
                    timezone=tz,
                    local_language=lang,
                    partner_organisation=f"Partner {city}",
                    calendar_token=secrets.token_urlsafe(24),
                ),
            ).scalar_one()
            trainer_id = conn.execute(
                t["users"].insert().returning(t["users"].c.id),
                dict(
                    email=f"trainer{index}@bench.example",
                    name=f"Trainer {city}",
                    password_hash=hashed,
                    role="trainer",
                    locale="en",
                    is_active=True,
                    session_token=secrets.token_urlsafe(16),
                    created_at=now,
                ),
            ).scalar_one()
            conn.execute(t["site_trainers"].insert(), dict(site_id=site_id, user_id=trainer_id))
            site_ids.append(site_id)
            trainer_ids.append(trainer_id)

        org_rows = []
        for s_index, _site_id in enumerate(site_ids):
            for o in range(per_site_orgs):
                name = f"Organisation {s_index:02d}-{o:03d}"
                org_rows.append(
                    dict(
                        name=name,
                        name_key=name.lower(),
                        type=TYPES[o % len(TYPES)],
                        sector="",
                        city="",
                        website="",
                        languages=["en"],
                        description="",
                        calendar_token=secrets.token_urlsafe(24),
                        created_at=now,
                    )
                )
        conn.execute(t["organisations"].insert(), org_rows)
        org_ids = conn.execute(sa.select(t["organisations"].c.id).order_by(t["organisations"].c.id)).scalars().all()
        conn.execute(
            t["enrolments"].insert(),
            [
                dict(
                    organisation_id=org_id,
                    site_id=site_ids[i // per_site_orgs],
                    status="accepted",
                    decision_reason="",
                    created_at=now,
                    decided_at=now,
                )
                for i, org_id in enumerate(org_ids)
            ],
        )
        conn.execute(
            t["users"].insert(),
            [
                dict(
                    email=f"contact{i}@bench.example",
                    name=f"Contact {i}",
                    password_hash=hashed,
                    role="contact",
                    organisation_id=org_id,
                    locale="en",
                    is_active=True,
                    session_token=secrets.token_urlsafe(16),
                    created_at=now,
                )
                for i, org_id in enumerate(org_ids)
            ],
        )
        conn.execute(
            t["participants"].insert(),
            [
                dict(
                    organisation_id=org_id,
                    name=f"Participant {i:05d}-{p}",
                    email="",
                    phone="",
                    preferred_language="en",
                    consent_given_at=now,
                    consent_version="bench",
                    created_at=now,
                )
                for i, org_id in enumerate(org_ids)
                for p in range(per_org_people)
            ],
        )

        competence_ids, pairings_by_site = _competences_and_pairings(
            conn, t, rng, site_ids, org_ids, per_site_orgs, now
        )
        _committees(conn, t, site_ids)

        session_rows = []
        for s_index, site_id in enumerate(site_ids):
            tz = CITIES[s_index % len(CITIES)][2]
            first_day = date.today() - timedelta(days=7 * held_per_site + 3)
            for n in range(per_site_sessions):
                day = first_day + timedelta(days=2 * n + (n // held_per_site) * 0)
                starts = to_utc(day, time(17, 30), tz)
                held = n < held_per_site
                kind = (
                    "course"
                    if n < per_site_sessions * 0.7
                    else ("workshop" if n % 3 == 0 else "event" if n % 2 else "meeting")
                )
                pairing_id = None
                headcount = dict(headcount_total=None, headcount_newcomers=None, headcount_residents=None)
                if kind == "workshop":  # delivered by a pairing, already held, with its reach
                    pairings_here = pairings_by_site[site_id]
                    pairing_id = pairings_here[n % len(pairings_here)]
                    starts = to_utc(first_day + timedelta(days=n % 40), time(18, 0), tz)
                    held = True
                    total = rng.randint(10, 40)
                    newcomers = rng.randint(0, total // 2)
                    headcount = dict(
                        headcount_total=total,
                        headcount_newcomers=newcomers,
                        headcount_residents=rng.randint(0, total - newcomers),
                    )
                session_rows.append(
                    dict(
                        pairing_id=pairing_id,
                        **headcount,
                        uid=secrets.token_hex(16),
                        site_id=site_id,
                        kind=kind,
                        module_id=module_ids[n % len(module_ids)] if kind == "course" else None,
                        title=f"Session {n}",
                        starts_at=starts,
                        ends_at=starts + timedelta(hours=3),
                        duration_minutes=180,
                        venue="Hall",
                        address="",
                        online_url="",
                        capacity=40 if kind != "course" else None,
                        language="en",
                        description="",
                        is_public=kind == "event",
                        status="held" if held else "confirmed",
                        cancel_reason="",
                        sequence=0,
                        booking_revision=0,
                        checkin_secret=secrets.token_urlsafe(24),
                        created_at=now,
                        updated_at=now,
                    )
                )
        conn.execute(t["sessions"].insert(), session_rows)
        held = conn.execute(
            sa.select(t["sessions"].c.id, t["sessions"].c.site_id).where(
                t["sessions"].c.status == "held", t["sessions"].c.kind == "course"
            )
        ).all()
        people_by_site = {}
        for pid, site_id in conn.execute(
            sa.select(t["participants"].c.id, t["enrolments"].c.site_id).join(
                t["enrolments"], t["enrolments"].c.organisation_id == t["participants"].c.organisation_id
            )
        ):
            people_by_site.setdefault(site_id, []).append(pid)
        marks, written = [], 0
        for session_id, site_id in held:
            for pid in people_by_site[site_id]:
                if written >= scale.marks:
                    break
                marks.append(
                    dict(
                        session_id=session_id,
                        participant_id=pid,
                        status=rng.choice(STATUSES),
                        remark="",
                        source="trainer",
                        marked_by_id=None,
                        marked_at=now,
                    )
                )
                written += 1
                if len(marks) >= 10_000:
                    conn.execute(t["attendance"].insert(), marks)
                    marks = []
        if marks:
            conn.execute(t["attendance"].insert(), marks)

        _report_material(conn, t, rng, programme_id, site_ids, org_ids, per_site_orgs, competence_ids, now)

    # Planner statistics, as autovacuum (PostgreSQL) or a periodic ANALYZE (SQLite) keep them.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("ANALYZE"))
    busiest = None
    with engine.connect() as conn:
        busiest = conn.execute(
            sa.select(t["attendance"].c.session_id, sa.func.count())
            .join(t["sessions"], t["sessions"].c.id == t["attendance"].c.session_id)
            .where(t["sessions"].c.site_id == site_ids[0])
            .group_by(t["attendance"].c.session_id)
            .order_by(sa.func.count().desc(), t["attendance"].c.session_id)
            .limit(1)
        ).first()
        counts = {
            name: conn.scalar(sa.select(sa.func.count()).select_from(t[name]))
            for name in (
                "sites",
                "organisations",
                "participants",
                "sessions",
                "attendance",
                "pairings",
                "session_feedback",
                "self_assessments",
                "certificates",
            )
        }
    return {
        "programme_id": programme_id,
        "seconds": round(clock.perf_counter() - started, 1),
        "counts": counts,
        "site_id": site_ids[0],
        "trainer_email": "trainer0@bench.example",
        "password": password,
        "busiest_session_id": busiest[0],
    }


COMPETENCES = [
    "Fundraising",
    "EU grant reporting",
    "Volunteer management",
    "Social media",
    "Event organisation",
    "Intercultural mediation",
    "Translation and interpreting",
    "Financial management",
    "Project management",
    "Youth work",
    "Advocacy",
    "Legal knowledge: migration and residence",
]
COMMITTEE = ["cso", "migrant_association", "key_person", "local_authority", "faith_community", "cso"]
COMMENTS = [
    "Very practical.",
    "More time for questions, please.",
    "Great atmosphere.",
    "A bit too fast at the end.",
    "",
]


def _competences_and_pairings(conn, t, rng, site_ids, org_ids, per_site_orgs, now):
    """Competences offered and needed, and the site's organisations paired two by two
    (active, with what each teaches the other, and a project idea for every other pairing)."""
    conn.execute(t["competences"].insert(), [dict(name=name, description="") for name in COMPETENCES])
    competence_ids = conn.execute(sa.select(t["competences"].c.id).order_by(t["competences"].c.id)).scalars().all()
    declared = []
    for org_id in org_ids:
        chosen = rng.sample(competence_ids, 4)
        declared += [
            dict(organisation_id=org_id, competence_id=c, direction="offer", level=rng.randint(1, 3), note="")
            for c in chosen[:2]
        ]
        declared += [
            dict(organisation_id=org_id, competence_id=c, direction="need", level=rng.randint(1, 3), note="")
            for c in chosen[2:]
        ]
    conn.execute(t["organisation_competences"].insert(), declared)
    pairings_by_site = {}
    for s_index, site_id in enumerate(site_ids):
        here = org_ids[s_index * per_site_orgs : (s_index + 1) * per_site_orgs]
        ids = []
        for a, b in zip(here[0::2], here[1::2], strict=False):
            pairing_id = conn.execute(
                t["pairings"].insert().returning(t["pairings"].c.id),
                dict(
                    site_id=site_id,
                    status="active",
                    score=rng.randint(4, 12),
                    fixed=False,
                    end_reason="",
                    created_at=now,
                    confirmed_at=now,
                ),
            ).scalar_one()
            conn.execute(
                t["pairing_members"].insert(),
                [dict(pairing_id=pairing_id, organisation_id=org, site_id=site_id, current=True) for org in (a, b)],
            )
            conn.execute(
                t["pairing_exchanges"].insert(),
                [
                    dict(
                        pairing_id=pairing_id,
                        teacher_id=a,
                        learner_id=b,
                        competence_id=rng.choice(competence_ids),
                        offer_level=3,
                        need_level=2,
                    ),
                    dict(
                        pairing_id=pairing_id,
                        teacher_id=b,
                        learner_id=a,
                        competence_id=rng.choice(competence_ids),
                        offer_level=2,
                        need_level=3,
                    ),
                ],
            )
            if len(ids) % 2 == 0:
                conn.execute(
                    t["project_ideas"].insert(),
                    dict(
                        pairing_id=pairing_id,
                        title=f"Community workshop {pairing_id}",
                        description="",
                        target_group="Volunteers",
                        resources_needed="",
                        status="planning",
                        updated_at=now,
                    ),
                )
            ids.append(pairing_id)
        pairings_by_site[site_id] = ids
    return competence_ids, pairings_by_site


def _committees(conn, t, site_ids):
    conn.execute(
        t["committee_members"].insert(),
        [
            dict(site_id=site_id, name=f"Member {i}", organisation="", category=category)
            for site_id in site_ids
            for i, category in enumerate(COMMITTEE)
        ],
    )


def _report_material(conn, t, rng, programme_id, site_ids, org_ids, per_site_orgs, competence_ids, now):
    """Feedback on held course sessions, self-assessments, narratives and certificates."""
    held = conn.execute(
        sa.select(t["sessions"].c.id, t["sessions"].c.site_id).where(
            t["sessions"].c.status == "held", t["sessions"].c.kind == "course"
        )
    ).all()
    feedback = [
        dict(
            session_id=session_id,
            respondent=secrets.token_hex(32),
            participant_id=None,
            useful=rng.randint(2, 5),
            clear=rng.randint(2, 5),
            organised=rng.randint(2, 5),
            comment=rng.choice(COMMENTS),
            created_at=now,
        )
        for session_id, _site in held
        for _ in range(6)
    ]
    conn.execute(t["session_feedback"].insert(), feedback)
    needs = conn.execute(
        sa.select(t["organisation_competences"].c.organisation_id, t["organisation_competences"].c.competence_id).where(
            t["organisation_competences"].c.direction == "need"
        )
    ).all()
    ratings = []
    for org_id, competence_id in needs:
        start = rng.randint(1, 3)
        ratings.append(
            dict(
                organisation_id=org_id,
                programme_id=programme_id,
                competence_id=competence_id,
                phase="start",
                rating=start,
                updated_at=now,
            )
        )
        if rng.random() < 0.7:
            ratings.append(
                dict(
                    organisation_id=org_id,
                    programme_id=programme_id,
                    competence_id=competence_id,
                    phase="end",
                    rating=min(5, start + rng.randint(0, 2)),
                    updated_at=now,
                )
            )
    conn.execute(t["self_assessments"].insert(), ratings)
    conn.execute(
        t["narratives"].insert(),
        [
            dict(
                site_id=site_id,
                section=section,
                text=f"**{section}** — what the site's trainers wrote.\n\n- a point\n- another point",
                updated_at=now,
            )
            for site_id in site_ids
            for section in ("context", "what_worked", "lessons", "recommendations")
        ],
    )
    people = conn.execute(
        sa.select(t["participants"].c.id, t["participants"].c.organisation_id, t["enrolments"].c.site_id)
        .join(t["enrolments"], t["enrolments"].c.organisation_id == t["participants"].c.organisation_id)
        .order_by(t["participants"].c.id)
    ).all()
    certificates = [
        dict(
            code=f"OEP-{i:04d}-{i // 10000:04d}-BNCH",
            participant_id=pid,
            programme_id=programme_id,
            site_id=site_id,
            organisation_id=org_id,
            kind="participation" if i % 5 == 0 else "completion",
            language="en",
            version=1,
            status="valid",
            holder_name=f"Participant {pid}",
            organisation_name=f"Organisation {org_id}",
            programme_name="National edition (benchmark)",
            city="",
            hours=40,
            modules=[],
            identity_salt=secrets.token_hex(16),
            file_name=f"bench/{pid}.pdf",
            sha256="0" * 64,
            size=0,
            issued_at=now,
            revoke_reason="",
        )
        for i, (pid, org_id, site_id) in enumerate(people[::3])
    ]
    conn.execute(t["certificates"].insert(), certificates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="sqlite:///bench/out/national.sqlite")
    args = parser.parse_args()
    from bench.common import fresh_database

    engine = fresh_database(args.database_url)
    result = generate(engine)
    print(result)


if __name__ == "__main__":
    main()
