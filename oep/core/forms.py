"""Shared form pieces: the base form, filters, widgets and the way service errors reach a form."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import wtforms
from babel import support
from flask import current_app, render_template
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _nl
from flask_wtf import FlaskForm
from wtforms import DecimalField, Field, SelectMultipleField, widgets
from wtforms.fields import SelectChoice
from wtforms.i18n import messages_path
from wtforms.utils import unset_value

from oep.core.errors import DomainError
from oep.core.i18n import interface_languages
from oep.core.i18n_text import I18nText

#: The form library's own messages that OEP's forms can show, so that every OEP catalogue
#: translates them: a language WTForms does not ship (Danish) gets them too, and every
#: language reads them in OEP's words. Nothing reads this list; it marks the texts for
#: `make extract-messages`.
LIBRARY_MESSAGES = (
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Invalid URL."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _nl("'%(value)s' is not a valid choice for this field.", "'%(value)s' are not valid choices for this field.", 1),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid datetime value."),
    _l("Field must be equal to %(other_name)s."),
    _nl("Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long.", 1),
    _nl("Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters.", 1),
    _nl("Field must be exactly %(max)d character long.", "Field must be exactly %(max)d characters long.", 1),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("File does not have an approved extension: {extensions}"),
)


@lru_cache(maxsize=32)
def _catalogues(locale: str, folder: str) -> support.NullTranslations:
    ours = support.Translations.load(folder, [locale], domain="messages")
    ours.add_fallback(support.Translations.load(messages_path(), [locale], domain="wtforms"))
    return ours


class FormTranslations:
    """The form library's messages ("This field is required.") in the reader's language:
    OEP's catalogue first, then the translations WTForms ships."""

    def _catalogue(self) -> support.NullTranslations:
        return _catalogues(str(get_locale()), str(Path(current_app.root_path) / "translations"))

    def gettext(self, string: str) -> str:
        return self._catalogue().gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalogue().ngettext(singular, plural, n)


_form_translations = FormTranslations()


class _TranslatedMeta:
    def get_translations(self, form):
        return _form_translations


class TranslatedField(Field):
    """A text given in several languages (an ``I18nText``): one input per language, stacked,
    each labelled with its language, the main language's first and marked required (the
    ``translations`` macro of ``_forms.html`` draws it). ``languages`` (main first) are set by
    the form (``text_languages``); ``shown`` are those visible (the programme form hides the
    languages not chosen, and shows them as they are ticked). Reading takes the inputs of every
    interface language sent; the view keeps the programme's and the service judges them."""

    def __init__(self, label=None, validators=None, *, multiline: bool = False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.multiline = multiline
        self.languages: list[str] = ["en"]
        self.shown: list[str] | None = None

    def input_name(self, code: str) -> str:
        return f"{self.name}-{code}"

    def input_id(self, code: str) -> str:
        return f"{self.id}-{code}"

    def is_shown(self, code: str) -> bool:
        return self.shown is None or code in self.shown

    def text_in(self, code: str) -> str:
        """What the input of ``code`` shows: the text given in that language (a text in no
        particular language shows in the main language's input)."""
        data = self.data if isinstance(self.data, I18nText) else I18nText(self.data)
        exact = data.as_dict().get(code)
        if exact is None and code == self.languages[0]:
            exact = data.get(code)
        return exact or ""

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors = []
        if data is unset_value:
            data = self.default() if callable(self.default) else self.default
        self.object_data = data
        self.data = I18nText(data) if data is not None else I18nText()
        self.raw_data = []
        if formdata is not None:
            sent = {code: formdata.get(self.input_name(code)) for code in interface_languages()}
            sent = {code: text for code, text in sent.items() if text is not None}
            if sent:
                self.raw_data = list(sent.values())
                self.data = I18nText(sent)

    def _value(self):
        return str(self.data or "")

    def populate_obj(self, obj, name):
        setattr(obj, name, self.data)


class Form(FlaskForm):
    """Every OEP form: Flask-WTF's (CSRF, file uploads), with the form library's own error
    messages in the reader's language. ``text_languages`` (main first) are the languages its
    ``TranslatedField`` fields ask for."""

    Meta = _TranslatedMeta

    def __init__(self, *args, text_languages: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if text_languages:
            self.set_text_languages(text_languages)

    def set_text_languages(self, languages: list[str], shown: list[str] | None = None) -> None:
        """Ask for the texts in ``languages`` (main first), of which ``shown`` are visible."""
        for field in self:
            if isinstance(field, TranslatedField):
                field.languages, field.shown = list(languages), (list(shown) if shown is not None else None)


class Subform(wtforms.Form):
    """A form repeated inside another (FormField, FieldList): no CSRF token of its own, its
    messages in the reader's language too."""

    Meta = _TranslatedMeta


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
