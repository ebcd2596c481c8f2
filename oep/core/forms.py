"""Shared form pieces: filters, widgets and the way service errors reach a form."""

from __future__ import annotations

from flask import render_template
from wtforms import DecimalField, SelectMultipleField, widgets
from wtforms.fields import SelectChoice

from oep.core.errors import DomainError


def strip(value):
    return value.strip() if isinstance(value, str) else value


def options(pairs) -> list[SelectChoice]:
    """Choices for a SelectField from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class LocalDecimalField(DecimalField):
    """A decimal number that also accepts a decimal comma ("1,5"), as most of Europe writes it."""

    def process_formdata(self, valuelist):
        if valuelist and isinstance(valuelist[0], str):
            valuelist = [valuelist[0].strip().replace(",", ".")]
        super().process_formdata(valuelist)


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes (usable on a phone, unlike <select multiple>)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def attach_error(form, error: DomainError) -> None:
    """Show a service's refusal next to the field it concerns, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [error.message]
    else:
        form.form_errors.append(error.message)


def render_form(template: str, form, **context):
    """Render a page with a form; a form with errors is answered with 422, so the request's
    transaction is rolled back and nothing half-written is kept."""
    has_errors = bool(form.errors) or bool(form.form_errors)
    return render_template(template, form=form, **context), (422 if has_errors else 200)
