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


class Hint:
    """A rule the browser is told about — the required mark, ``maxlength``, ``min`` and ``max``
    — but which the form does not check: the service does, so that the page, an import, the
    command line and the API refuse the same input with the same message (see
    ``oep.core.validation``). Forms keep only what turns text into typed values."""

    def __init__(self, *, required: bool = False, maxlength: int | None = None, min=None, max=None):
        flags = {"required": required, "maxlength": maxlength, "min": min, "max": max}
        self.field_flags = {name: value for name, value in flags.items() if value not in (None, False)}

    def __call__(self, form, field) -> None:
        return None


def enum_or_none(enum_class):
    """A select field's ``coerce`` for an enumeration: the member for a known value, None for
    anything else (the service then says what to choose)."""

    def coerce(value):
        if isinstance(value, enum_class):
            return value
        return enum_class(value) if value in enum_class._value2member_map_ else None

    return coerce


def attach_error(form, error: DomainError) -> None:
    """Show a service's refusal next to the field it concerns, or above the form; an
    ``InvalidInput`` with several problems shows each of them."""
    for problem in getattr(error, "problems", None) or [error]:
        field = getattr(form, problem.field, None) if problem.field else None
        if field is not None:
            field.errors = list(field.errors) + [problem.message]
        else:
            form.form_errors.append(problem.message)


def show_problems(form, problems) -> None:
    """Show a service's ``problems`` (``oep.core.validation.Problems``) on ``form`` when the
    form could not read some of its fields, next to the fields without a message of their own:
    the person sees every problem at once rather than one round after another."""
    for problem in problems:
        field = getattr(form, problem.field, None) if problem.field else None
        if field is None or not field.errors:
            attach_error(form, problem)


def render_form(template: str, form, **context):
    """Render a page with a form; a form with errors is answered with 422, so the request's
    transaction is rolled back and nothing half-written is kept."""
    has_errors = bool(form.errors) or bool(form.form_errors)
    return render_template(template, form=form, **context), (422 if has_errors else 200)
