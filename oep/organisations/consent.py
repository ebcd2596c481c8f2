"""The consent text an organisation agrees to when it registers, and the one a contact
confirms for each participant. The version is in the settings (CONSENT_VERSION); change it
whenever the wording changes, so that every recorded consent points to the text it was given to.
"""

from flask import current_app
from flask_babel import gettext as _


def registration_consent_text() -> str:
    return _(
        "I agree that the programme's coordinators, trainers and partner organisations process "
        "the data in this form (my organisation's details, my name and e-mail address, and the "
        "participants we add) in order to run the programme: to review our registration, "
        "organise sessions and pairings, record attendance, issue certificates and report to "
        "the programme's funder in aggregate form. The data is not used for anything else and "
        "is deleted when no longer needed for these purposes. I can ask to see, correct or "
        "delete it at any time."
    )


def participant_consent_text() -> str:
    return _(
        "This person has agreed to take part and to the processing of their name, contact "
        "details and attendance for running the programme and issuing their certificate."
    )


def consent_version() -> str:
    return current_app.config["CONSENT_VERSION"]
