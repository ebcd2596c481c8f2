"""WSGI entry point: ``gunicorn wsgi:app``."""

from oep import create_app

app = create_app()
