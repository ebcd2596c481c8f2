"""An organisation's participants: add, edit, remove, import from CSV; nobody else's reachable."""

from __future__ import annotations

import html
import io
import re

import pytest
import sqlalchemy as sa

from oep.core.errors import Conflict, InvalidInput
from oep.extensions import db
from oep.organisations import participant_import, services
from oep.organisations.models import Participant


def participant_count(organisation=None) -> int:
    stmt = sa.select(sa.func.count()).select_from(Participant)
    if organisation is not None:
        stmt = stmt.where(Participant.organisation_id == organisation.id)
    return db.session.scalar(stmt)


@pytest.fixture
def org_and_contact(make, client):
    organisation = make.organisation(make.site())
    client.login(make.contact_of(organisation))
    return organisation, client


def test_contact_adds_edits_and_removes_a_participant(org_and_contact):
    organisation, client = org_and_contact
    response = client.post(
        f"/organisations/{organisation.id}/participants/new",
        data={"name": " Amina   Haddad ", "email": "Amina@Example.org", "preferred_language": "ar", "consent": "y"},
    )
    assert response.status_code == 302
    participant = db.session.scalar(sa.select(Participant))
    assert (participant.name, participant.email, participant.preferred_language) == (
        "Amina Haddad",
        "amina@example.org",
        "ar",
    )
    assert participant.consent_version == "2026-01" and participant.consent_given_at is not None
    assert "Amina Haddad" in client.get(f"/organisations/{organisation.id}/participants").get_data(as_text=True)

    response = client.post(
        f"/organisations/{organisation.id}/participants/{participant.id}/edit",
        data={"name": "Amina Haddad-Rossi", "email": "", "preferred_language": "it"},
    )
    assert response.status_code == 302
    assert participant.name == "Amina Haddad-Rossi" and participant.preferred_language == "it"

    assert client.post(f"/organisations/{organisation.id}/participants/{participant.id}/delete").status_code == 302
    assert participant_count() == 0


@pytest.mark.parametrize(
    "data,message",
    [
        ({"name": "", "preferred_language": "en", "consent": "y"}, "A name is required."),
        ({"name": "x" * 201, "preferred_language": "en", "consent": "y"}, "At most 200 characters."),
        (
            {"name": "Ok", "email": "not-an-email", "preferred_language": "en", "consent": "y"},
            "“not-an-email” is not a valid e-mail address.",
        ),
        ({"name": "Ok", "preferred_language": "klingon", "consent": "y"}, "Unknown language “klingon”"),
        ({"name": "Ok", "preferred_language": "en"}, "Only people who have given their consent can be added."),
        ({"name": "Ok", "phone": "1" * 41, "preferred_language": "en", "consent": "y"}, "At most 40 characters."),
    ],
)
def test_bad_participant_input_is_refused_clearly(org_and_contact, data, message):
    organisation, client = org_and_contact
    response = client.post(f"/organisations/{organisation.id}/participants/new", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert participant_count() == 0


def test_the_same_person_twice_is_refused(org_and_contact, make):
    organisation, client = org_and_contact
    make.participant(organisation, name="Amina Haddad", email="amina@example.org")
    response = client.post(
        f"/organisations/{organisation.id}/participants/new",
        data={"name": "amina haddad", "email": "AMINA@example.org", "preferred_language": "en", "consent": "y"},
    )
    assert response.status_code == 422
    assert "already one of your participants" in response.get_data(as_text=True)
    assert participant_count() == 1


def test_another_organisations_participant_is_not_reachable_by_changing_ids(client, make):
    site = make.site()
    mine, theirs = make.organisation(site), make.organisation(site)
    their_person = make.participant(theirs, name="Secret Person")
    client.login(make.contact_of(mine))
    # Their organisation's pages, and their person under my organisation's URL: 404 both ways.
    assert client.get(f"/organisations/{theirs.id}/participants").status_code == 404
    assert client.get(f"/organisations/{theirs.id}/participants/{their_person.id}/edit").status_code == 404
    assert client.get(f"/organisations/{mine.id}/participants/{their_person.id}/edit").status_code == 404
    assert client.post(f"/organisations/{mine.id}/participants/{their_person.id}/delete").status_code == 404
    assert participant_count(theirs) == 1
    assert "Secret Person" not in client.get(f"/organisations/{mine.id}/participants").get_data(as_text=True)


# --- CSV import ------------------------------------------------------------------------------


def upload(client, organisation, content: bytes | str | None, filename="people.csv"):
    data = {"step": "upload"}
    if isinstance(content, str):
        content = content.encode("utf-8")
    if content is not None:
        data["file"] = (io.BytesIO(content), filename)
    return client.post(
        f"/organisations/{organisation.id}/participants/import", data=data, content_type="multipart/form-data"
    )


GOOD_CSV = (
    "name,email,phone,preferred_language,consent\n"
    "Amina Haddad,amina@example.org,+45 1234,ar,yes\n"
    "Jonas Berg,,,da,ja\n"
    "Ελένη Παππά,eleni@example.org,,Greek,yes\n"
)


def test_import_shows_a_preview_then_imports_every_row(org_and_contact):
    organisation, client = org_and_contact
    response = upload(client, organisation, GOOD_CSV)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "All 3 rows are correct" in page and "Ελένη Παππά" in page
    assert participant_count() == 0  # nothing yet: this is the preview
    csv_text = page.split('name="csv_text" type="hidden" value="')[1].split('"')[0]
    import html

    response = client.post(
        f"/organisations/{organisation.id}/participants/import",
        data={"step": "confirm", "csv_text": html.unescape(csv_text)},
    )
    assert response.status_code == 302
    people = {p.name: p for p in db.session.scalars(sa.select(Participant))}
    assert set(people) == {"Amina Haddad", "Jonas Berg", "Ελένη Παππά"}
    assert people["Ελένη Παππά"].preferred_language == "el"
    assert people["Jonas Berg"].preferred_language == "da"


def test_import_reports_every_bad_row_and_column_and_imports_nothing(org_and_contact):
    organisation, client = org_and_contact
    csv = (
        "name;email;preferred_language;consent\n"
        "Good Person;good@example.org;en;yes\n"
        ";nobody@example.org;en;yes\n"
        "Bad Mail;not-an-email;en;yes\n"
        "No Consent;;en;no\n"
        "Odd Language;;klingon;yes\n"
        "Good Person;good@example.org;en;yes\n"
        "Maybe;;en;perhaps\n"
    )
    response = upload(client, organisation, csv)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nothing has been imported: 6 problem(s)" in page
    for expected in (
        "Line 3, column “Name”: A name is required.",
        "Line 4, column “E-mail”: “not-an-email” is not a valid e-mail address.",
        "Line 5, column “Consent”: Only people who have given their consent can be added.",
        "Line 6, column “Preferred language”: Unknown language “klingon”",
        "Line 7, column “Name”: Good Person appears twice",
        "Line 8, column “Consent”: Write yes or no, not “perhaps”.",
    ):
        assert expected in page, expected
    assert "Import these" not in page
    assert participant_count() == 0


def test_confirming_a_tampered_file_still_imports_nothing(org_and_contact):
    organisation, client = org_and_contact
    response = client.post(
        f"/organisations/{organisation.id}/participants/import",
        data={"step": "confirm", "csv_text": "name,consent\nOk,yes\nBad,no\n"},
    )
    assert response.status_code == 422
    assert participant_count() == 0


@pytest.mark.parametrize(
    "content,message",
    [
        (None, "Choose a file."),
        (b"", "The file is empty."),
        (b"\n\n", "The file is empty."),
        (b"email,phone\nx@example.org,1\n", "The header row needs a column “name”."),
        (b"name,consent\n", "The file has a header but no participants."),
        (bytes(range(256)) * 4, "The header row needs a column"),
        (b'name,consent\n"unterminated,yes\n', "problem"),
    ],
    ids=["no-file", "empty-file", "blank", "no-name-column", "header-only", "binary", "broken-quotes"],
)
def test_malformed_files_get_a_clear_message(org_and_contact, content, message):
    organisation, client = org_and_contact
    response = upload(client, organisation, content)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert participant_count() == 0


def test_wrong_file_type_is_refused(org_and_contact):
    organisation, client = org_and_contact
    response = upload(client, organisation, GOOD_CSV, filename="people.xlsx")
    assert response.status_code == 422
    assert "Upload a .csv file" in response.get_data(as_text=True)


def test_windows_spreadsheet_export_is_read(org_and_contact):
    organisation, client = org_and_contact
    content = "name;consent\r\nJosé Müller;ja\r\n".encode("cp1252")
    response = upload(client, organisation, content)
    assert response.status_code == 200
    assert "José Müller" in response.get_data(as_text=True)


def test_trainer_reads_but_does_not_edit_participants(client, make):
    site = make.site()
    organisation = make.organisation(site)
    make.participant(organisation, name="Visible Person")
    client.login(make.trainer([site]))
    page = client.get(f"/organisations/{organisation.id}/participants").get_data(as_text=True)
    assert "Visible Person" in page and "Add a participant" not in page
    assert client.get(f"/organisations/{organisation.id}/participants/new").status_code == 403


# --- one set of rules: the page, the CSV import and the service refuse alike --------------------


def field_errors(page: str, field: str) -> str:
    """The messages shown next to a form field."""
    match = re.search(rf'id="{field}-errors">(.*?)</small>', page, re.S)
    return match.group(1) if match else ""


SAME_REFUSALS = {
    "no consent": ({"consent": False}, "consent", "Only people who have given their consent can be added."),
    "bad e-mail": ({"email": "amina@"}, "email", "“amina@” is not a valid e-mail address."),
    "unknown language": (
        {"preferred_language": "klingon"},
        "preferred_language",
        "Unknown language “klingon”; use a code such as en, da, de, it, el, ar.",
    ),
    "long name": ({"name": "A" * 201}, "name", "At most 200 characters."),
    "long phone": ({"phone": "1" * 41}, "phone", "At most 40 characters."),
    "no name": ({"name": "  "}, "name", "A name is required."),
}


@pytest.mark.parametrize("changes,field,message", SAME_REFUSALS.values(), ids=SAME_REFUSALS.keys())
def test_the_page_the_csv_import_and_the_service_refuse_alike(org_and_contact, changes, field, message):
    organisation, client = org_and_contact
    person = {
        "name": "Amina Haddad",
        "email": "amina@example.org",
        "phone": "+45 1234",
        "preferred_language": "ar",
        "consent": True,
        **changes,
    }

    form = {k: v for k, v in person.items() if k != "consent"} | ({"consent": "y"} if person["consent"] else {})
    page = client.post(f"/organisations/{organisation.id}/participants/new", data=form)
    assert page.status_code == 422
    assert field_errors(page.get_data(as_text=True), field) == message

    row = ",".join([person["name"], person["email"], person["phone"], person["preferred_language"]])
    csv = f"name,email,phone,preferred_language,consent\n{row},{'yes' if person['consent'] else 'no'}\n"
    column = str(participant_import.COLUMN_LABELS[field])
    imported = upload(client, organisation, csv)
    assert imported.status_code == 422
    assert f"Line 2, column “{column}”: {message}" in imported.get_data(as_text=True)

    with pytest.raises(InvalidInput) as refused:
        services.add_participant(db.session, organisation, services.ParticipantData(**person))
    assert (refused.value.field, refused.value.message) == (field, message)
    assert participant_count() == 0


def test_someone_already_listed_is_refused_alike(org_and_contact, make):
    organisation, client = org_and_contact
    make.participant(organisation, name="Amina Haddad", email="amina@example.org")
    message = "Amina Haddad is already one of your participants."

    page = client.post(
        f"/organisations/{organisation.id}/participants/new",
        data={"name": "amina  haddad", "email": "AMINA@example.org", "preferred_language": "ar", "consent": "y"},
    )
    assert field_errors(page.get_data(as_text=True), "name") == message.replace("Amina Haddad", "amina haddad")
    imported = upload(client, organisation, "name,email,consent\nAmina Haddad,amina@example.org,yes\n")
    assert f"Line 2, column “Name”: {message}" in imported.get_data(as_text=True)
    with pytest.raises(Conflict) as refused:
        services.add_participant(
            db.session, organisation, services.ParticipantData("Amina Haddad", "amina@example.org", consent=True)
        )
    assert (refused.value.field, refused.value.message) == ("name", message)
    assert participant_count() == 1


def test_the_page_shows_every_problem_at_once(org_and_contact):
    organisation, client = org_and_contact
    response = client.post(
        f"/organisations/{organisation.id}/participants/new",
        data={"name": "", "email": "nope", "phone": "1" * 41, "preferred_language": "xx"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_errors(page, "name") == "A name is required."
    assert field_errors(page, "email") == "“nope” is not a valid e-mail address."
    assert field_errors(page, "phone") == "At most 40 characters."
    assert field_errors(page, "preferred_language").startswith("Unknown language “xx”")
    assert field_errors(page, "consent") == "Only people who have given their consent can be added."


def test_the_import_service_refuses_a_bad_list_on_its_own(make):
    organisation = make.organisation(make.site())
    rows = [
        services.ParticipantData("Amina Haddad", consent=True),
        services.ParticipantData("Jonas Berg"),  # no consent
    ]
    with pytest.raises(InvalidInput) as refused:
        services.import_participants(db.session, organisation, rows)
    assert refused.value.field == "consent"
    twice = [services.ParticipantData("Jonas Berg", consent=True), services.ParticipantData("jonas berg", consent=True)]
    with pytest.raises(InvalidInput, match="jonas berg appears twice in this list."):
        services.import_participants(db.session, organisation, twice)
    assert participant_count() == 0


def test_an_edit_keeps_the_recorded_consent_and_the_rules(org_and_contact, make):
    organisation, client = org_and_contact
    person = make.participant(organisation, name="Amina Haddad")
    response = client.post(
        f"/organisations/{organisation.id}/participants/{person.id}/edit",
        data={"name": "Amina Haddad", "email": "amina@", "preferred_language": "ar"},
    )
    assert field_errors(response.get_data(as_text=True), "email") == "“amina@” is not a valid e-mail address."
    response = client.post(
        f"/organisations/{organisation.id}/participants/{person.id}/edit",
        data={"name": "Amina Haddad", "email": "amina@example.org", "preferred_language": "ar"},
    )
    assert response.status_code == 302 and person.email == "amina@example.org"


def test_a_new_participants_language_starts_as_the_sites(client, make):
    aarhus = make.site(city="Aarhus", local_language="da", country="DK", timezone="Europe/Copenhagen")
    organisation = make.organisation(aarhus)
    client.login(make.contact_of(organisation))
    page = client.get(f"/organisations/{organisation.id}/participants/new").get_data(as_text=True)
    assert '<option selected value="da">' in page
    # In a file, a row without a preferred language gets the site's too.
    response = upload(client, organisation, "name,preferred_language,consent\nMette Holm,,yes\nAmina Haddad,ar,yes\n")
    page = response.get_data(as_text=True)
    csv_text = page.split('name="csv_text" type="hidden" value="')[1].split('"')[0]
    client.post(
        f"/organisations/{organisation.id}/participants/import",
        data={"step": "confirm", "csv_text": html.unescape(csv_text)},
    )
    languages = dict(db.session.execute(sa.select(Participant.name, Participant.preferred_language)).all())
    assert languages == {"Mette Holm": "da", "Amina Haddad": "ar"}


def test_without_a_site_a_new_participants_language_is_the_default(client, make):
    organisation = make.organisation()
    client.login(make.contact_of(organisation))
    page = client.get(f"/organisations/{organisation.id}/participants/new").get_data(as_text=True)
    assert '<option selected value="en">' in page
