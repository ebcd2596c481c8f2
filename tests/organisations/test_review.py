"""Reviewing enrolments: the queue, the count on the dashboard, decisions and their mails."""

from __future__ import annotations

from oep.organisations.models import EnrolmentStatus


def test_dashboard_counts_what_waits_for_review_in_the_users_scope(client_factory, make):
    programme = make.programme()
    palermo, athens = make.site(programme, city="Palermo"), make.site(programme, city="Athens")
    for _ in range(3):
        make.organisation(palermo, status=EnrolmentStatus.PENDING)
    make.organisation(athens, status=EnrolmentStatus.PENDING)
    make.organisation(athens, status=EnrolmentStatus.ACCEPTED)

    def pending_on_dashboard(user):
        page = client_factory().login(user).get("/dashboard").get_data(as_text=True)
        return int(page.split('data-testid="pending-count">')[1].split("<")[0])

    assert pending_on_dashboard(make.coordinator()) == 4
    assert pending_on_dashboard(make.trainer([palermo])) == 3
    assert pending_on_dashboard(make.trainer([athens])) == 1


def test_trainer_sees_only_their_sites_in_the_queue(client, make):
    programme = make.programme()
    palermo, athens = make.site(programme), make.site(programme)
    mine = make.organisation(palermo, status=EnrolmentStatus.PENDING, name="Mine")
    make.organisation(athens, status=EnrolmentStatus.PENDING, name="Not mine")
    page = client.login(make.trainer([palermo])).get("/review").get_data(as_text=True)
    assert "Mine" in page and "Not mine" not in page
    assert f"enrolment-{mine.enrolments[0].id}" in page


def test_accepting_tells_the_contact_by_mail(client, make, mailbox):
    site = make.site(city="Kassel")
    organisation = make.organisation(site, status=EnrolmentStatus.PENDING)
    enrolment = organisation.enrolments[0]
    coordinator = make.coordinator()
    response = client.login(coordinator).post(
        f"/enrolments/{enrolment.id}/decide",
        data={f"e{enrolment.id}-decision": "accepted", f"e{enrolment.id}-reason": "Welcome aboard!"},
    )
    assert response.status_code == 302
    assert enrolment.status is EnrolmentStatus.ACCEPTED
    assert enrolment.decided_by_id == coordinator.id and enrolment.decided_at is not None
    [message] = mailbox.to(make.contact_of(organisation).email)
    assert "Welcome to" in message["Subject"] and "Kassel" in message["Subject"]
    assert "Welcome aboard!" in mailbox.body(message)


def test_declining_needs_a_reason(client, make, mailbox):
    organisation = make.organisation(make.site(), status=EnrolmentStatus.PENDING)
    enrolment = organisation.enrolments[0]
    client.login(make.coordinator())
    response = client.post(f"/enrolments/{enrolment.id}/decide", data={f"e{enrolment.id}-decision": "declined"})
    assert response.status_code == 422
    assert "Please give the organisation a reason for declining." in response.get_data(as_text=True)
    assert enrolment.status is EnrolmentStatus.PENDING
    assert mailbox.messages == []
    response = client.post(
        f"/enrolments/{enrolment.id}/decide",
        data={
            f"e{enrolment.id}-decision": "declined",
            f"e{enrolment.id}-reason": "This site is for Aarhus organisations.",
        },
    )
    assert response.status_code == 302
    assert enrolment.status is EnrolmentStatus.DECLINED
    assert "This site is for Aarhus organisations." in mailbox.body(mailbox.messages[0])


def test_waitlisted_can_later_be_accepted_but_a_decision_is_not_undone_silently(client, make):
    organisation = make.organisation(make.site(), status=EnrolmentStatus.WAITLISTED)
    enrolment = organisation.enrolments[0]
    client.login(make.coordinator())
    response = client.post(f"/enrolments/{enrolment.id}/decide", data={f"e{enrolment.id}-decision": "accepted"})
    assert response.status_code == 302 and enrolment.status is EnrolmentStatus.ACCEPTED
    response = client.post(
        f"/enrolments/{enrolment.id}/decide",
        data={f"e{enrolment.id}-decision": "declined", f"e{enrolment.id}-reason": "changed our mind"},
    )
    assert response.status_code == 422
    assert enrolment.status is EnrolmentStatus.ACCEPTED


def test_mail_is_written_in_the_contacts_language(client, make, mailbox):
    organisation = make.organisation(make.site(city="Aarhus"), status=EnrolmentStatus.PENDING)
    contact = make.contact_of(organisation)
    contact.locale = "da"
    enrolment = organisation.enrolments[0]
    client.login(make.coordinator()).post(
        f"/enrolments/{enrolment.id}/decide", data={f"e{enrolment.id}-decision": "accepted"}
    )
    [message] = mailbox.to(contact.email)
    from flask_babel import force_locale, gettext

    with force_locale("da"):
        danish = gettext(
            "Welcome to %(programme)s in %(city)s",
            programme=organisation.enrolments[0].site.programme.name,
            city="Aarhus",
        )
    assert danish.startswith("Velkommen")  # the catalogue has it...
    assert message["Subject"] == danish  # ...and the mail uses it


def test_contact_withdraws_and_is_no_longer_in_the_queue(client_factory, make):
    site = make.site()
    organisation = make.organisation(site, status=EnrolmentStatus.PENDING)
    enrolment = organisation.enrolments[0]
    contact = client_factory().login(make.contact_of(organisation))
    assert contact.post(f"/enrolments/{enrolment.id}/withdraw", data={"reason": "No time this year"}).status_code == 302
    assert enrolment.status is EnrolmentStatus.WITHDRAWN
    page = client_factory().login(make.coordinator()).get("/review").get_data(as_text=True)
    assert organisation.name not in page


def test_known_organisation_enrols_for_another_open_site(client, make, mailbox):
    organisation = make.organisation(make.site(city="Palermo"))
    next_year = make.site(make.programme(name="OEP 2027"), city="Palermo")
    response = client.login(make.contact_of(organisation)).post(
        f"/organisations/{organisation.id}/enrol", data={"site": next_year.id}
    )
    assert response.status_code == 302
    assert {e.site_id for e in organisation.enrolments} == {organisation.enrolments[0].site_id, next_year.id}
    again = client.post(f"/organisations/{organisation.id}/enrol", data={"site": next_year.id}, follow_redirects=True)
    assert "Choose a site that takes registrations." in again.get_data(as_text=True)
