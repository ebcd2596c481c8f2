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
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from oep.core.timezones import to_utc

CITIES = [
    ("Palermo", "IT", "Europe/Rome", "it"), ("Athens", "GR", "Europe/Athens", "el"), ("Kassel", "DE", "Europe/Berlin", "de"),
    ("Aarhus", "DK", "Europe/Copenhagen", "da"), ("Thessaloniki", "GR", "Europe/Athens", "el"), ("Bologna", "IT", "Europe/Rome", "it"),
    ("Leipzig", "DE", "Europe/Berlin", "de"), ("Odense", "DK", "Europe/Copenhagen", "da"), ("Patras", "GR", "Europe/Athens", "el"),
    ("Turin", "IT", "Europe/Rome", "it"), ("Bremen", "DE", "Europe/Berlin", "de"), ("Aalborg", "DK", "Europe/Copenhagen", "da"),
    ("Heraklion", "GR", "Europe/Athens", "el"), ("Naples", "IT", "Europe/Rome", "it"), ("Dresden", "DE", "Europe/Berlin", "de"),
    ("Esbjerg", "DK", "Europe/Copenhagen", "da"), ("Larissa", "GR", "Europe/Athens", "el"), ("Genoa", "IT", "Europe/Rome", "it"),
    ("Hanover", "DE", "Europe/Berlin", "de"), ("Vejle", "DK", "Europe/Copenhagen", "da"),
]
TYPES = ["cso", "migrant_association", "cso", "migrant_association", "faith_community", "education", "business", "union", "other"]
STATUSES = ["present"] * 80 + ["late"] * 7 + ["left_early"] * 3 + ["excused"] * 4 + ["absent"] * 6


@dataclass
class Scale:
    sites: int = 20
    organisations: int = 1000
    participants: int = 5000
    sessions: int = 2000
    marks: int = 100_000


def generate(engine: sa.Engine, scale: Scale = Scale(), seed: int = 7, password: str = "bench-password-1") -> dict:
    """Write the whole edition into an empty schema; returns ids worth timing."""
    rng = random.Random(seed)
    meta = sa.MetaData()
    meta.reflect(engine)
    t = meta.tables
    now = datetime.now(timezone.utc).replace(microsecond=0)
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
                name="National edition (benchmark)", description="", starts_on=date.today() - timedelta(days=200),
                ends_on=date.today() + timedelta(days=165), languages=["en"], registration_open=True,
                completion_min_attendance_percent=80, completion_requires_mandatory_modules=True,
                left_early_credit_percent=50, warning_min_held_sessions=3, warning_consecutive_absences=3,
                checkin_opens_minutes=30, checkin_grace_minutes=10, checkin_code_seconds=30,
                certificate_signatory_name="", certificate_signatory_title="", funder_acknowledgement="Co-funded by the European Union",
                created_at=now,
            ),
        ).scalar_one()
        module_ids = [
            conn.execute(
                t["modules"].insert().returning(t["modules"].c.id),
                dict(programme_id=programme_id, position=i, title=f"Module {i}", summary="", learning_outcomes="", hours=4, mandatory=i <= 5),
            ).scalar_one()
            for i in range(1, 9)
        ]
        conn.execute(
            t["users"].insert(),
            [dict(email="coordinator@bench.example", name="Bench Coordinator", password_hash=hashed, role="coordinator",
                  locale="en", is_active=True, session_token=secrets.token_urlsafe(16), created_at=now)],
        )
        site_ids, trainer_ids = [], []
        for index in range(scale.sites):
            city, country, tz, lang = CITIES[index % len(CITIES)]
            site_id = conn.execute(
                t["sites"].insert().returning(t["sites"].c.id),
                dict(programme_id=programme_id, city=f"{city}" if index < len(CITIES) else f"{city} {index}", country=country,
                     timezone=tz, local_language=lang, partner_organisation=f"Partner {city}", calendar_token=secrets.token_urlsafe(24)),
            ).scalar_one()
            trainer_id = conn.execute(
                t["users"].insert().returning(t["users"].c.id),
                dict(email=f"trainer{index}@bench.example", name=f"Trainer {city}", password_hash=hashed, role="trainer",
                     locale="en", is_active=True, session_token=secrets.token_urlsafe(16), created_at=now),
            ).scalar_one()
            conn.execute(t["site_trainers"].insert(), dict(site_id=site_id, user_id=trainer_id))
            site_ids.append(site_id)
            trainer_ids.append(trainer_id)

        org_rows = []
        for s_index, site_id in enumerate(site_ids):
            for o in range(per_site_orgs):
                name = f"Organisation {s_index:02d}-{o:03d}"
                org_rows.append(dict(name=name, name_key=name.lower(), type=TYPES[o % len(TYPES)], sector="", city="", website="",
                                     languages=["en"], description="", calendar_token=secrets.token_urlsafe(24), created_at=now))
        conn.execute(t["organisations"].insert(), org_rows)
        org_ids = conn.execute(sa.select(t["organisations"].c.id).order_by(t["organisations"].c.id)).scalars().all()
        conn.execute(
            t["enrolments"].insert(),
            [dict(organisation_id=org_id, site_id=site_ids[i // per_site_orgs], status="accepted", decision_reason="",
                  created_at=now, decided_at=now) for i, org_id in enumerate(org_ids)],
        )
        conn.execute(
            t["users"].insert(),
            [dict(email=f"contact{i}@bench.example", name=f"Contact {i}", password_hash=hashed, role="contact", organisation_id=org_id,
                  locale="en", is_active=True, session_token=secrets.token_urlsafe(16), created_at=now) for i, org_id in enumerate(org_ids)],
        )
        conn.execute(
            t["participants"].insert(),
            [dict(organisation_id=org_id, name=f"Participant {i:05d}-{p}", email="", phone="", preferred_language="en",
                  consent_given_at=now, consent_version="bench", created_at=now)
             for i, org_id in enumerate(org_ids) for p in range(per_org_people)],
        )

        session_rows = []
        for s_index, site_id in enumerate(site_ids):
            tz = CITIES[s_index % len(CITIES)][2]
            first_day = date.today() - timedelta(days=7 * held_per_site + 3)
            for n in range(per_site_sessions):
                day = first_day + timedelta(days=2 * n + (n // held_per_site) * 0)
                starts = to_utc(day, time(17, 30), tz)
                held = n < held_per_site
                kind = "course" if n < per_site_sessions * 0.7 else ("event" if n % 2 else "meeting")
                session_rows.append(dict(
                    uid=secrets.token_hex(16), site_id=site_id, kind=kind,
                    module_id=module_ids[n % len(module_ids)] if kind == "course" else None, title=f"Session {n}",
                    starts_at=starts, ends_at=starts + timedelta(hours=3), duration_minutes=180, venue="Hall", address="",
                    online_url="", capacity=40 if kind != "course" else None, language="en", description="", is_public=kind == "event",
                    status="held" if held else "confirmed", cancel_reason="", sequence=0, booking_revision=0,
                    checkin_secret=secrets.token_urlsafe(24), created_at=now, updated_at=now,
                ))
        conn.execute(t["sessions"].insert(), session_rows)
        held = conn.execute(
            sa.select(t["sessions"].c.id, t["sessions"].c.site_id).where(t["sessions"].c.status == "held")
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
                marks.append(dict(session_id=session_id, participant_id=pid, status=rng.choice(STATUSES), remark="",
                                  source="trainer", marked_by_id=None, marked_at=now))
                written += 1
                if len(marks) >= 10_000:
                    conn.execute(t["attendance"].insert(), marks)
                    marks = []
        if marks:
            conn.execute(t["attendance"].insert(), marks)

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
        counts = {name: conn.scalar(sa.select(sa.func.count()).select_from(t[name]))
                  for name in ("sites", "organisations", "participants", "sessions", "attendance")}
    return {
        "seconds": round(clock.perf_counter() - started, 1),
        "counts": counts,
        "site_id": site_ids[0],
        "trainer_email": "trainer0@bench.example",
        "password": password,
        "busiest_session_id": busiest[0],
    }


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
