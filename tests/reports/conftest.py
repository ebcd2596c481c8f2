"""A small programme with everything the report counts, built so that every figure can be
worked out by hand (see the numbers in each comment)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from oep.core.db import utcnow
from oep.organisations.models import OrganisationType
from oep.pairings.models import PairingExchange, ProjectIdea, ProjectStatus
from oep.programmes.models import CommitteeCategory


@dataclass
class World:
    programme: object
    palermo: object
    athens: object
    trainer: object
    athens_trainer: object
    coordinator: object
    arcobaleno: object
    sunugal: object
    kyriakos: object
    people: dict
    sessions: list
    workshop: object
    competences: dict


@pytest.fixture
def world(make):
    programme = make.programme(name="OEP 2026 — Intercultural Cities", completion_min_attendance_percent=80)
    palermo = make.site(programme, city="Palermo", timezone="Europe/Rome", partner_organisation="CESIE Sud")
    athens = make.site(programme, city="Athens", timezone="Europe/Athens", partner_organisation="Δίκτυο Αθήνας")
    fundraising = make.module(programme, title="Fundraising", mandatory=True, position=1)
    mediation = make.module(programme, title="Intercultural mediation", mandatory=False, position=2)
    # Palermo: two organisations, three participants
    arcobaleno = make.organisation(palermo, name="Associazione Arcobaleno", type=OrganisationType.CSO)
    sunugal = make.organisation(palermo, name="Sunugal", type=OrganisationType.MIGRANT_ASSOCIATION)
    amina = make.participant(arcobaleno, name="Amina Haddad")
    luca = make.participant(arcobaleno, name="Luca Bianchi")
    moussa = make.participant(sunugal, name="Moussa Diop")
    # Athens: one organisation, one participant
    kyriakos = make.organisation(athens, name="Σύλλογος Κυψέλης", type=OrganisationType.FAITH_COMMUNITY)
    eleni = make.participant(kyriakos, name="Ελένη Παπαδοπούλου")

    # Palermo: three held course sessions of 2 h (6 h), all the site plans.
    s1 = make.session(palermo, module=fundraising, starts_in_days=-20, hours=2, status="held")
    s2 = make.session(palermo, module=fundraising, starts_in_days=-13, hours=2, status="held")
    s3 = make.session(palermo, module=mediation, starts_in_days=-6, hours=2, status="held")
    make.session(palermo, module=mediation, starts_in_days=-3, hours=2, status="cancelled")
    # Marks: Amina 3/3, Luca present, absent, late (2/3), Moussa absent ×3 → 5 attended of 9.
    for sched, (a, lu, m) in zip(
        (s1, s2, s3),
        (("present", "present", "absent"), ("present", "absent", "absent"), ("present", "late", "absent")),
        strict=True,
    ):
        make.mark(sched, amina, a)
        make.mark(sched, luca, lu)
        make.mark(sched, moussa, m)
    # Athens: one held session, Eleni present (1 of 1).
    a1 = make.session(athens, module=fundraising, starts_in_days=-10, hours=3, status="held")
    make.mark(a1, eleni, "present")

    # Pairing in Palermo, what each teaches the other, a project idea and a workshop.
    pairing = make.pairing(palermo, [arcobaleno, sunugal])
    fund = make.competence("Fundraising")
    med = make.competence("Intercultural mediation")
    make.declares(arcobaleno, fund, "offer")
    make.declares(arcobaleno, med, "need")
    make.declares(sunugal, med, "offer")
    make.declares(sunugal, fund, "need")
    make.declares(kyriakos, fund, "need")
    make.db.add_all(
        [
            PairingExchange(
                pairing_id=pairing.id,
                teacher_id=arcobaleno.id,
                learner_id=sunugal.id,
                competence_id=fund.id,
                offer_level=3,
                need_level=2,
            ),
            PairingExchange(
                pairing_id=pairing.id,
                teacher_id=sunugal.id,
                learner_id=arcobaleno.id,
                competence_id=med.id,
                offer_level=3,
                need_level=2,
            ),
            ProjectIdea(
                pairing_id=pairing.id,
                title="Grant clinic for volunteers",
                status=ProjectStatus.PLANNING,
                target_group="Volunteers of small associations",
            ),
        ]
    )
    workshop = make.session(
        palermo,
        kind="workshop",
        starts_in_days=-4,
        hours=2,
        status="held",
        pairing_id=pairing.id,
        title="Fundraising for beginners",
        headcount_total=30,
        headcount_newcomers=12,
        headcount_residents=10,
    )

    # A certificate, feedback (two answers, averages 4.5 / 4 / 3.5), self-assessment
    make.certificate(palermo, amina)
    make.feedback(s1, amina, useful=5, clear=4, organised=3, comment="Very practical.")
    make.feedback(s1, luca, useful=4, clear=4, organised=4)
    make.self_assessment(arcobaleno, programme, med, "start", 2)
    make.self_assessment(arcobaleno, programme, med, "end", 4)
    make.self_assessment(sunugal, programme, fund, "start", 1)
    make.self_assessment(sunugal, programme, fund, "end", 2)
    make.self_assessment(kyriakos, programme, fund, "start", 3)  # no end yet: not counted in the change
    for category in (CommitteeCategory.CSO, CommitteeCategory.MIGRANT_ASSOCIATION, CommitteeCategory.KEY_PERSON):
        make.committee_member(palermo, category=category)
    make.narrative(palermo, "lessons", "Plan around **religious holidays**.\n\n<script>alert(1)</script>")

    trainer = make.trainer([palermo], name="Giulia Trainer")
    return World(
        programme=programme,
        palermo=palermo,
        athens=athens,
        trainer=trainer,
        athens_trainer=make.trainer([athens]),
        coordinator=make.coordinator(),
        arcobaleno=arcobaleno,
        sunugal=sunugal,
        kyriakos=kyriakos,
        people={"amina": amina, "luca": luca, "moussa": moussa, "eleni": eleni},
        sessions=[s1, s2, s3, a1],
        workshop=workshop,
        competences={"fundraising": fund, "mediation": med},
    )


def period_of(programme):
    from oep.reports.data import Period

    return Period(programme.starts_on, programme.ends_on)


def now():
    return utcnow() - timedelta(seconds=1)
