"""Texts a coordinator writes in each of a programme's languages (its name, module titles, a
site's city as shown, the funder line...), after pretix's ``LazyI18nString``.

An ``I18nText`` holds one text per language code, the programme's main language first::

    title = I18nText({"en": "Fundraising", "el": "Άντληση πόρων"})
    title.localize("el")  # "Άντληση πόρων"
    title.localize("de")  # "Fundraising": the main language's text, then any given
    str(title)            # in the language of the page, mail or document being written

so that a template printing ``{{ module.title }}`` shows it in the reader's language unchanged.
Every such column is a ``translated_column``: JSON holding ``{"en": ..., "el": ...}`` in the
order of the programme's languages (the services write them so; JSON keeps the order on SQLite
and PostgreSQL), which is how a text knows its main language without its programme at hand.

A plain string assigned to such a column (a test's factory, an old script) is a text in no
particular language, kept under ``"*"`` and shown as it is in every language, as pretix shows
a plain string; the services always store the languages.

Sorting and uniqueness: a column that is sorted by or must be unique (a programme's name, a
site's city, a competence's name) has a plain ``*_key`` column beside it holding its main
language's text, casefolded, which the database orders, searches and keeps unique; it is filled
whenever the text is set (``key`` of ``translated_column``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import sqlalchemy as sa
from flask import has_app_context
from flask_babel import get_locale
from sqlalchemy.orm import Mapper, mapped_column

#: The key of a text in no particular language (a plain string).
ANY_LANGUAGE = "*"


def _reader_language() -> str | None:
    """The language being written in now (a page's, a mail's, a certificate's), if known."""
    if not has_app_context():
        return None
    try:
        locale = get_locale()
    except (RuntimeError, AttributeError):
        return None
    return locale.language if locale is not None else None


class I18nText:
    """One text in several languages; immutable. Stringified, it is the text in the current
    language (see ``localize`` for the fallback)."""

    __slots__ = ("_texts",)

    def __init__(self, texts: Mapping[str, str] | str | I18nText | None = None) -> None:
        if isinstance(texts, I18nText):
            items = texts._texts.items()
        elif isinstance(texts, str):
            items = [(ANY_LANGUAGE, texts)]
        elif texts is None:
            items = []
        elif isinstance(texts, Mapping):
            items = texts.items()
        else:
            raise TypeError(f"an I18nText is made of a mapping of language codes to texts, not {texts!r}")
        self._texts: dict[str, str] = {
            str(code): str(text) for code, text in items if text is not None and str(text) != ""
        }

    @classmethod
    def of(cls, value: I18nText | Mapping[str, str] | str | None, language: str) -> I18nText:
        """``value`` as an ``I18nText``: a plain string is the text in ``language`` (what a
        caller that knows only one language passes: the programme's main language)."""
        if isinstance(value, str):
            return cls({language: value})
        return cls(value)

    # --- reading ---

    @property
    def languages(self) -> list[str]:
        """The codes of the languages it is given in, main first (``"*"`` for a plain text)."""
        return list(self._texts)

    def as_dict(self) -> dict[str, str]:
        """The texts by language code, in their order (a copy)."""
        return dict(self._texts)

    def get(self, language: str) -> str | None:
        """The text given in exactly ``language`` (no fallback); a plain text counts as given
        in every language."""
        return self._texts.get(language) or self._texts.get(ANY_LANGUAGE)

    def has(self, language: str) -> bool:
        """Whether the text is given in ``language`` (a plain text is given in all)."""
        return self.get(language) is not None

    def source_language(self, language: str | None, fallbacks: Iterable[str] = ()) -> str | None:
        """The language whose text ``localize(language, fallbacks)`` shows: ``language``, its
        base language ("en" for "en_GB"), each of ``fallbacks`` in turn, the main language (the
        first given), ``"*"`` for a plain text; None when there is no text at all."""
        candidates = [language, (language or "").split("_")[0].split("-")[0], *fallbacks]
        for code in candidates:
            if code and code in self._texts:
                return code
        if ANY_LANGUAGE in self._texts:
            return ANY_LANGUAGE
        return next(iter(self._texts), None)

    def localize(self, language: str | None = None, fallbacks: Iterable[str] = ()) -> str:
        """The text in ``language``; when it is not given there, in the first of ``fallbacks``
        given (a programme's languages), else in the main language, else in any; "" when
        there is no text. Without ``language``, the main language's text."""
        code = self.source_language(language, fallbacks)
        return self._texts[code] if code is not None else ""

    @property
    def main(self) -> str:
        """The text in the main language (the first given)."""
        return self.localize(None)

    # --- making new ones ---

    def map(self, function: Callable[[str], str]) -> I18nText:
        """A new text with ``function`` applied to each language's (e.g. ``str.strip``)."""
        return I18nText({code: function(text) for code, text in self._texts.items()})

    def ordered(self, languages: Iterable[str]) -> I18nText:
        """The same texts with ``languages`` first, in their order (the main language first),
        then any others as they were."""
        order = [code for code in languages if code in self._texts]
        rest = [code for code in self._texts if code not in order]
        return I18nText({code: self._texts[code] for code in order + rest})

    def only(self, languages: Iterable[str]) -> I18nText:
        """The texts given in ``languages`` (and a plain text), in the order of ``languages``."""
        wanted = list(languages)
        kept = {code: self._texts[code] for code in wanted if code in self._texts}
        if ANY_LANGUAGE in self._texts:
            kept[ANY_LANGUAGE] = self._texts[ANY_LANGUAGE]
        return I18nText(kept)

    # --- behaving like the string it shows ---

    def __str__(self) -> str:
        return self.localize(_reader_language())

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __bool__(self) -> bool:
        return bool(self._texts)

    def __eq__(self, other) -> bool:
        if isinstance(other, I18nText):
            return self._texts == other._texts
        if isinstance(other, str):
            return str(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))

    def __lt__(self, other) -> bool:
        return str(self).casefold() < str(other).casefold()

    def __repr__(self) -> str:
        return f"I18nText({self._texts!r})"


def text_key(text: I18nText | str | None) -> str:
    """The form of a text's main language that is sorted by and kept unique: spacing and case
    ignored ("Athens", " athens " -> "athens")."""
    main = text.main if isinstance(text, I18nText) else (text or "")
    return " ".join(main.split()).casefold()


class I18nTextType(sa.types.TypeDecorator):
    """The column type of every text given in several languages: JSON ``{"en": ..., "el": ...}``
    read back as an ``I18nText``. ``length`` is the most characters each language's text may
    have (checked by the services, as for a ``String``)."""

    impl = sa.JSON
    cache_ok = True

    def __init__(self, length: int | None = None) -> None:
        super().__init__()
        self.length = length

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return I18nText(value).as_dict()

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return I18nText(value)

    def copy(self, **kw):
        return I18nTextType(self.length)


def translated_column(length: int | None = None, *, key: str | None = None, **kwargs):
    """A mapped column of texts in several languages (``I18nTextType``), by default empty.
    ``key`` names the plain column that keeps the main language's ``text_key`` for sorting and
    unique constraints; it is filled whenever the text is set."""
    kwargs.setdefault("default", lambda: I18nText())
    info = dict(kwargs.pop("info", {}), translated_key=key)
    return mapped_column(I18nTextType(length), info=info, **kwargs)


def _coerce_on_set(key: str | None):
    def on_set(target, value, _oldvalue, _initiator):
        text = None if value is None else I18nText(value)
        if key is not None:
            setattr(target, key, text_key(text))
        return text

    return on_set


@sa.event.listens_for(Mapper, "mapper_configured")
def _watch_translated_columns(mapper, class_) -> None:
    """Every attribute of a ``translated_column``: what is set becomes an ``I18nText`` (a plain
    string a text in no particular language), and its key column follows it."""
    for attribute in mapper.column_attrs:
        column = attribute.columns[0]
        if isinstance(column.type, I18nTextType):
            listener = _coerce_on_set(column.info.get("translated_key"))
            sa.event.listen(attribute.class_attribute, "set", listener, retval=True)
