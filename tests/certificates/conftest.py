"""A site whose participants qualify for a completion or a participation certificate."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from oep.core import storage


@pytest.fixture
def course_site(make, app):
    site = make.site(city="Athens", timezone="Europe/Athens")
    programme = site.programme
    programme.name = "OEP 2026 — Intercultural Cities"
    programme.certificate_signatory_name = "Dr. Sofia Marino"
    programme.certificate_signatory_title = "Programme Coordinator"
    emblem = io.BytesIO()
    Image.new("RGB", (120, 80), (0, 51, 153)).save(emblem, "PNG")
    storage.current().write("uploads/emblem-test.png", emblem.getvalue())
    programme.emblem_file = "emblem-test.png"
    module = make.module(programme, title="Fundraising", mandatory=True)
    organisation = make.organisation(site, name="Σύλλογος Γυναικών Κυψέλης")
    eleni = make.participant(
        organisation, name="Ελένη Παπαδοπούλου", preferred_language="el", email="eleni@example.org"
    )
    mette = make.participant(organisation, name="Mette Jørgensen", preferred_language="da")
    late = make.participant(organisation, name="Jonas Berg", preferred_language="en")
    make.participant(organisation, name="Never Came", preferred_language="en")
    sessions = [make.session(site, module=module, starts_in_days=-10 + i, hours=2, status="held") for i in range(4)]
    for sched in sessions:
        make.mark(sched, eleni, "present")
        make.mark(sched, mette, "present")
    make.mark(sessions[0], late, "present")
    for sched in sessions[1:]:
        make.mark(sched, late, "absent")
    trainer = make.trainer([site])
    return site, trainer, {"eleni": eleni, "mette": mette, "jonas": late}
