"""The report pages: choosing, previewing, making the files as a job, downloading; who may
see what; narratives; an organisation's own summary."""

from __future__ import annotations

import io

import openpyxl
import sqlalchemy as sa
from pypdf import PdfReader

from oep.extensions import db
from oep.reports.models import Narrative, ReportFile
from tests.support_jobs import latest_job, wait_for_job


def report_form(world, scope, **kw):
    data = {
        "scope": scope,
        "date_from": world.programme.starts_on.isoformat(),
        "date_to": world.programme.ends_on.isoformat(),
        "language": "en",
        "formats": ["pdf", "xlsx"],
    }
    data.update(kw)
    return data


def test_a_coordinator_previews_the_consolidated_report(client, world):
    client.login(world.coordinator)
    page = client.get("/reports/preview", query_string=report_form(world, f"programme:{world.programme.id}"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Consolidated report: 2 sites" in html
    assert 'data-figure="attendance"' in html and "60 %" in html
    assert html.count('src="data:image/svg+xml;base64,') >= 4  # charts, as vector graphics
    assert "<strong>religious holidays</strong>" in html  # the narrative, rendered from Markdown
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Amina Haddad" not in html


def test_a_bad_period_is_refused_with_a_message(client, world):
    client.login(world.coordinator)
    form = report_form(world, f"site:{world.palermo.id}", date_from="2027-01-01", date_to="2026-01-01")
    page = client.get("/reports/preview", query_string=form)
    assert page.status_code == 422
    assert "The period ends before it starts." in page.get_data(as_text=True)
    response = client.post("/reports", data=dict(form, formats=[]))
    assert response.status_code == 422
    assert "Choose at least one format." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportFile)) == 0


def test_making_the_files_runs_as_a_job_and_they_can_be_downloaded(client, world):
    client.login(world.trainer)
    response = client.post(
        "/reports", data=report_form(world, f"site:{world.palermo.id}", formats=["pdf", "xlsx", "csv"])
    )
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job = wait_for_job(latest_job().id)
    assert job.status.value == "done", job.error
    assert job.done == job.total > 0
    files = db.session.scalars(sa.select(ReportFile).order_by(ReportFile.id)).all()
    assert [f.format.value for f in files] == ["pdf", "xlsx", "csv"]
    listing = client.get(job.result["next_url"]).get_data(as_text=True)
    assert listing.count('data-testid="report-file"') == 3
    pdf = client.get(f"/reports/files/{files[0].id}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"] and "Palermo" in pdf.headers["Content-Disposition"]
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "OEP 2026 — Intercultural Cities — Palermo" in text
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/reports/files/{files[1].id}").data))
    assert "Key figures" in book.sheetnames


def test_a_trainer_reports_on_their_own_sites_only(client, world):
    client.login(world.trainer)
    page = client.get("/reports").get_data(as_text=True)
    assert f'value="site:{world.palermo.id}"' in page
    assert f'value="site:{world.athens.id}"' not in page and "programme:" not in page
    assert "include_participants" not in page  # personal data: the coordinator's choice
    other_site = client.get("/reports/preview", query_string=report_form(world, f"site:{world.athens.id}"))
    assert other_site.status_code == 422 and "Σύλλογος Κυψέλης" not in other_site.get_data(as_text=True)
    assert client.post("/reports", data=report_form(world, f"programme:{world.programme.id}")).status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportFile)) == 0


def test_a_trainer_cannot_add_the_participants_by_hand(client, world):
    client.login(world.trainer)
    page = client.get(
        "/reports/preview", query_string=report_form(world, f"site:{world.palermo.id}", include_participants="y")
    )
    assert page.status_code == 200 and "Amina Haddad" not in page.get_data(as_text=True)


def test_the_coordinator_may_include_the_participants(client, world):
    client.login(world.coordinator)
    page = client.get(
        "/reports/preview", query_string=report_form(world, f"site:{world.palermo.id}", include_participants="y")
    )
    html = page.get_data(as_text=True)
    assert "Annex: participants" in html and "Amina Haddad" in html


def test_a_report_file_is_only_for_those_who_may_see_its_site(client, world):
    from oep.reports import services
    from oep.reports.data import Period
    from oep.reports.models import ReportFormat

    (record,) = services.make_files(
        db.session,
        world.programme,
        world.palermo,
        Period(world.programme.starts_on, world.programme.ends_on),
        [ReportFormat.CSV],
        language="en",
        include_participants=False,
        by_id=world.coordinator.id,
    )
    db.session.commit()
    client.login(world.athens_trainer)
    assert client.get(f"/reports/files/{record.id}").status_code == 404
    assert f"/reports/files/{record.id}" not in client.get("/reports").get_data(as_text=True)
    client.login(world.trainer)
    assert client.get(f"/reports/files/{record.id}").status_code == 200


def test_trainers_write_the_narrative_of_their_site(client, world):
    client.login(world.trainer)
    page = client.get(f"/sites/{world.palermo.id}/narratives")
    assert "Plan around **religious holidays**." in page.get_data(as_text=True)
    response = client.post(
        f"/sites/{world.palermo.id}/narratives",
        data={
            "context": "A city of *many* small associations.",
            "what_worked": "- evening sessions",
            "lessons": "",
            "recommendations": "",
        },
    )
    assert response.status_code == 302
    texts = {
        n.section.value: n.text
        for n in db.session.scalars(sa.select(Narrative).where(Narrative.site_id == world.palermo.id))
    }
    assert texts == {
        "context": "A city of *many* small associations.",
        "what_worked": "- evening sessions",
        "lessons": "",
    }
    preview = client.get("/reports/preview", query_string=report_form(world, f"site:{world.palermo.id}")).get_data(
        as_text=True
    )
    assert "A city of <em>many</em> small associations." in preview
    assert "Plan around" not in preview  # emptied
    client.login(world.athens_trainer)
    assert client.get(f"/sites/{world.palermo.id}/narratives").status_code == 404


def test_a_contact_downloads_the_summary_of_their_organisation(client, world):
    contact = world.arcobaleno.contacts[0]
    client.login(contact)
    page = client.get(f"/organisations/{world.arcobaleno.id}/summary").get_data(as_text=True)
    assert "Amina Haddad" in page and "Sunugal" in page
    pdf = client.get(f"/organisations/{world.arcobaleno.id}/summary.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Associazione Arcobaleno — summary" in text
    assert "Amina Haddad" in text and "Luca Bianchi" in text
    assert "What we taught: Fundraising (Sunugal)" in text
    assert "What we learned: Intercultural mediation (Sunugal)" in text
    assert "Grant clinic for volunteers" in text and "Fundraising for beginners" in text
    assert "Moussa Diop" not in text  # another organisation's participant
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/organisations/{world.arcobaleno.id}/summary.xlsx").data))
    rows = {row[0]: row for row in book["Participants – Palermo"].iter_rows(min_row=2, values_only=True)}
    assert rows["Amina Haddad"][3] == 1.0 and rows["Amina Haddad"][4] == "yes"
    assessment = list(book["Self-assessment"].iter_rows(min_row=2, values_only=True))
    assert assessment == [("Intercultural mediation", 2, 4, 2)]
    assert client.get(f"/organisations/{world.sunugal.id}/summary.pdf").status_code == 404
