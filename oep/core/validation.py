"""How a service judges its input: every problem at once, each with the field it concerns.

A service collects what is wrong in a ``Problems`` and refuses the input with all of it::

    problems = Problems()
    problems.text("name", data.name, 200, required=_("A name is required."))
    problems.email("email", data.email)
    problems.raise_if_any()  # InvalidInput(first message, field=..., problems=[...])

so that a page shows each problem next to its field, a CSV import each by row and column, and
the command line or the API the same messages: the rules live in the service, not in the form
that happens to feed it. The checks here are the ones several features share.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from decimal import Decimal
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask_babel import format_decimal
from flask_babel import gettext as _

from oep.core.errors import InvalidInput
from oep.core.i18n import language_name
from oep.core.i18n_text import ANY_LANGUAGE, I18nText

#: The longest e-mail address there can be (RFC 5321: a 256-octet path minus its brackets).
EMAIL_MAX_LENGTH = 254


def column_length(column) -> int:
    """How many characters a ``String`` model column holds: ``column_length(Site.city)`` is
    120. The column is the one source of a text's longest length."""
    return column.property.columns[0].type.length


def one_line(value: str | None) -> str:
    """``value`` with its runs of spaces, tabs and line breaks made single spaces, and trimmed:
    how names are stored (so that "Amina  Haddad" and "Amina Haddad" are one person)."""
    return " ".join((value or "").split())


def translations(value: I18nText | dict | str | None, languages: list[str], *, single_line: bool = False) -> I18nText:
    """Texts in several languages as stored: a plain string (or a text in no particular
    language, ``"*"``) is the text in the first of ``languages`` (the main one) unless that is
    given; each text trimmed (made ``one_line`` when ``single_line``), empty ones dropped, and
    the languages in the order of ``languages``."""
    main = languages[0] if languages else "en"
    texts = I18nText.of(value, main).map(one_line if single_line else str.strip).as_dict()
    neutral = texts.pop(ANY_LANGUAGE, None)
    if neutral and not texts.get(main):
        texts[main] = neutral
    return I18nText(texts).ordered(languages)


def web_address(value: str | None) -> str:
    """A website as stored: trimmed, with ``https://`` put in front when no scheme is given
    ("example.org" -> "https://example.org"); empty stays empty."""
    value = (value or "").strip()
    if value and "://" not in value:
        value = "https://" + value
    return value


def email_address(value: str | None) -> str:
    """An e-mail address as stored: trimmed and lower-cased."""
    return (value or "").strip().lower()


class Problems:
    """What is wrong with one piece of input, in the order found.

    Each check takes the name of the field it concerns (the form field a page shows the
    message next to, the column an import reports it in) and adds an ``InvalidInput`` when
    the value breaks its rule; a field with a problem is not checked further.
    """

    def __init__(self) -> None:
        self.found: list[InvalidInput] = []

    def __bool__(self) -> bool:
        return bool(self.found)

    def __iter__(self) -> Iterator[InvalidInput]:
        return iter(self.found)

    def has(self, field: str) -> bool:
        """Whether ``field`` already has a problem."""
        return any(problem.field == field for problem in self.found)

    def add(self, field: str | None, message) -> None:
        """Record that ``field`` (None: the input as a whole) breaks a rule, said by ``message``."""
        self.found.append(InvalidInput(message, field=field))

    def require(self, field: str, present: bool, message=None) -> None:
        """``field`` must have a value (``present``); ``message`` says what to enter, by default
        "This field is required."."""
        if not present and not self.has(field):
            self.add(field, message or _("This field is required."))

    def text(self, field: str, value: str | None, max_length: int, *, required=None) -> None:
        """``value`` may have at most ``max_length`` characters; when ``required`` is given (the
        message to show, or True for the default one) it must not be empty or only spaces."""
        value = value or ""
        if required and not value.strip():
            self.require(field, False, None if required is True else required)
        elif len(value) > max_length and not self.has(field):
            self.add(field, _("At most %(n)s characters.", n=format_decimal(max_length)))

    def translations(
        self, field: str, value: I18nText, languages: list[str], max_length: int, *, required: bool = False
    ) -> None:
        """``value`` (as ``translations`` stores it) may be given only in ``languages`` (the
        programme's, its main language first), each language's text of at most ``max_length``
        characters; when ``required``, the text in the main language must be given."""
        for code in value.languages:
            if code not in languages:
                self.add(
                    field,
                    _(
                        "Texts can be given in %(languages)s, not in “%(value)s”.",
                        languages=", ".join(language_name(c) for c in languages),
                        value=code,
                    ),
                )
                return
        if required and languages and not value.get(languages[0]):
            self.require(
                field,
                False,
                _("Enter the text in %(language)s, the main language.", language=language_name(languages[0])),
            )
            return
        for code in value.languages:
            if len(value.get(code)) > max_length:
                self.add(
                    field,
                    _(
                        "At most %(n)s characters in %(language)s.",
                        n=format_decimal(max_length),
                        language=language_name(code),
                    ),
                )
                return

    def email(self, field: str, value: str | None, *, required: bool = False) -> None:
        """``value`` must be a well-formed e-mail address (its domain is not looked up) of at most
        254 characters, or empty unless ``required``."""
        value = (value or "").strip()
        if not value:
            if required:
                self.require(field, False)
            return
        if len(value) > EMAIL_MAX_LENGTH:
            self.text(field, value, EMAIL_MAX_LENGTH)
            return
        try:
            validate_email(value, check_deliverability=False)
        except EmailNotValidError:
            self.add(field, _("“%(value)s” is not a valid e-mail address.", value=value))

    def web_address(self, field: str, value: str | None, max_length: int) -> None:
        """``value`` (as ``web_address`` stores it) must be an http(s) address with a host name
        such as example.org, of at most ``max_length`` characters, or empty."""
        value = value or ""
        if not value:
            return
        self.text(field, value, max_length)
        if self.has(field):
            return
        parts = urlsplit(value)
        host = parts.hostname or ""
        if parts.scheme not in ("http", "https") or "." not in host.strip(".") or any(c.isspace() for c in value):
            self.add(field, _("Enter a web address such as https://example.org."))

    def choice(self, field: str, value, allowed: Collection, message) -> None:
        """``value`` must be one of ``allowed``; ``message`` says what to choose."""
        if value not in allowed and not self.has(field):
            self.add(field, message)

    def number(self, field: str, value: int | Decimal | None, low, high, *, message=None) -> None:
        """``value`` must be given and lie between ``low`` and ``high`` (both included);
        ``message`` replaces the default "Enter a number between LOW and HIGH."."""
        if self.has(field):
            return
        if value is None:
            self.add(field, _("Enter a number."))
        elif (isinstance(value, Decimal) and not value.is_finite()) or not low <= value <= high:
            self.add(
                field,
                message
                or _(
                    "Enter a number between %(low)s and %(high)s.", low=format_decimal(low), high=format_decimal(high)
                ),
            )

    def raise_if_any(self) -> None:
        """Refuse the input when anything was found: raise the first problem as an
        ``InvalidInput`` carrying all of them in ``problems``."""
        if self.found:
            first = self.found[0]
            raise InvalidInput(first.message, field=first.field, problems=self.found)
