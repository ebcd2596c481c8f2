"""Organisations: registration, enrolment at a site, participants and competences."""
