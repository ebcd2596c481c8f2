"""Languages: the interface's languages and locale, their writing direction, and the names
of the languages people speak.

One list drives every place a language is chosen: ``LANGUAGES`` in the settings (see
``oep.config``). The language switch, the languages of certificates and reports, the language
a mail is written in and the choices of every form are all read from it, so adding a
language is a catalogue in ``oep/translations/`` and one more code in that list. Names and
directions come from Babel's locale data (CLDR), not from lists kept here.
"""

from __future__ import annotations

import unicodedata
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from flask import current_app, g, has_app_context, has_request_context, request, session
from flask_babel import force_locale, get_locale, refresh
from flask_login import current_user

#: Languages an organisation or a participant may declare (ISO 639-1), beyond the interface
#: languages (which always come first): the languages most spoken in the partner cities'
#: communities.
OTHER_SPOKEN_LANGUAGES = [
    "am", "ar", "bn", "es", "fa", "fr", "ha", "hi", "ku", "ln", "nl", "pa", "pl", "ps",
    "pt", "ro", "ru", "so", "sq", "sv", "sw", "ta", "ti", "tl", "tr", "uk", "ur", "wo",
    "yo", "zh",
]  # fmt: skip

#: English is written as in Europe: 24-hour clock, day before month.
FORMATTING_LOCALE = {"en": "en_GB"}

DEFAULT_LANGUAGES = ["en"]


def interface_languages() -> list[str]:
    """The interface languages' codes, in the order of the setting ``LANGUAGES``."""
    if has_app_context():
        return list(current_app.config["LANGUAGES"])
    return DEFAULT_LANGUAGES


def is_interface_language(code: str | None) -> bool:
    return bool(code) and code in interface_languages()


def default_language() -> str:
    return current_app.config["BABEL_DEFAULT_LOCALE"] if has_app_context() else "en"


def supported_language(code: str | None, fallback: str | None = None) -> str:
    """``code`` if it is an interface language, else ``fallback`` (or the default language)."""
    if is_interface_language(code):
        return code
    return fallback if is_interface_language(fallback) else default_language()


@lru_cache(maxsize=256)
def _locale(code: str) -> Locale | None:
    try:
        return Locale.parse(code)
    except (ValueError, TypeError, UnknownLocaleError):
        return None


@lru_cache(maxsize=64)
def native_name(code: str) -> str:
    """A language's name in itself, as the language switch shows it ("Svenska", "العربية")."""
    locale = _locale(code)
    name = locale.get_display_name(locale) if locale else None
    return (name[:1].upper() + name[1:]) if name else code


def interface_language_choices() -> list[tuple[str, str]]:
    """(code, name in itself) for each interface language."""
    return [(code, native_name(code)) for code in interface_languages()]


def text_direction(code: str | None) -> str:
    """ "rtl" for a language written right to left (Arabic, Persian, Hebrew...), else "ltr"."""
    locale = _locale(code) if code else None
    return "rtl" if locale is not None and locale.text_direction == "rtl" else "ltr"


def language_name(code: str, locale=None) -> str:
    """The name of a language in the interface's language (e.g. "ar" -> "Arabisch" in German)."""
    try:
        return Locale.parse(code).get_display_name(locale or get_locale()) or code
    except (ValueError, TypeError, UnknownLocaleError):
        return code


def spoken_languages() -> list[str]:
    """Every language a person or an organisation may declare: the interface languages first."""
    first = interface_languages()
    return first + [code for code in OTHER_SPOKEN_LANGUAGES if code not in first]


def spoken_language_choices(locale=None) -> list[tuple[str, str]]:
    """(code, name) of every declarable language: the interface languages first, then the
    others in alphabetical order of their names in ``locale`` (the interface's language)."""
    locale = locale or get_locale()
    first = interface_languages()
    rest = [code for code in spoken_languages() if code not in first]
    return [(c, language_name(c, locale).capitalize()) for c in first] + sorted(
        ((c, language_name(c, locale).capitalize()) for c in rest), key=lambda pair: pair[1].casefold()
    )


def formatting_locale(code: str) -> str:
    """The locale that formats dates and numbers for an interface language."""
    return FORMATTING_LOCALE.get(code, code)


@contextmanager
def in_language(code: str | None):
    """Render texts, dates and numbers in the language ``code`` (a mail's recipient's, a
    certificate's holder's); a language that is not an interface language falls back to the
    default one."""
    with force_locale(formatting_locale(supported_language(code))):
        yield


def select_locale() -> str:
    """The explicit choice in this browser, then the user's setting, then the browser's
    (English formats dates the British way)."""
    return formatting_locale(_chosen_language())


def current_language() -> str:
    """The interface language's code ("en", "da", ...) for lang attributes and switches."""
    return get_locale().language


def current_direction() -> str:
    """The writing direction of the interface's language: "ltr" or "rtl"."""
    return text_direction(current_language())


def chosen_in_this_browser() -> str | None:
    """The language explicitly picked with the language switch in this browser, if any."""
    chosen = session.get("lang") if has_request_context() else None
    return chosen if is_interface_language(chosen) else None


def prefer_language(code: str | None) -> None:
    """Show the rest of this request in ``code`` unless the browser chose a language: for
    pages reached before signing in whose reader is known (an invitation link)."""
    if is_interface_language(code):
        g.oep_preferred_language = code
        refresh()


def _chosen_language() -> str:
    supported = interface_languages()
    if not has_request_context():
        return default_language()
    chosen = chosen_in_this_browser()
    if chosen:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return current_user.locale
    preferred = g.get("oep_preferred_language")
    if preferred in supported:
        return preferred
    return request.accept_languages.best_match(supported) or default_language()


# --- the direction of texts people write -------------------------------------------------------

_STRONG = {"L": "ltr", "R": "rtl", "AL": "rtl"}


def direction_of(text) -> str | None:
    """The direction a text takes from its content, as HTML's ``dir="auto"`` decides it: that of
    its first strongly directional character ("rtl" for Arabic or Hebrew letters, "ltr" for
    Latin, Greek, Cyrillic...), or None for a text without any (digits, punctuation)."""
    for char in str(text or ""):
        direction = _STRONG.get(unicodedata.bidirectional(char))
        if direction:
            return direction
    return None


def has_direction_other_than(text, direction: str) -> bool:
    """Whether ``text`` holds a letter written in the other direction than ``direction``
    (a Latin letter in a right-to-left text, an Arabic one in a left-to-right text)."""
    return any(_STRONG.get(unicodedata.bidirectional(char), direction) != direction for char in str(text or ""))


FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"


def isolate(text: str) -> str:
    """A name put inside a sentence built here (a report's title), wrapped in Unicode's
    isolating marks when it holds letters written in the other direction than the current
    language, so that it keeps its own direction wherever the sentence is shown (page, PDF,
    running header); unchanged otherwise."""
    text = str(text)
    if not has_direction_other_than(text, current_direction()):
        return text
    return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}"


def init_app(app) -> None:
    missing = [code for code in app.config["LANGUAGES"] if code != "en" and not _has_catalogue(app, code)]
    if missing:
        app.logger.warning(
            "LANGUAGES lists %s without a catalogue in oep/translations/: pages in it stay in English.",
            ", ".join(missing),
        )
    app.jinja_env.globals.update(
        language_name=language_name,
        get_locale=get_locale,
        current_language=current_language,
        current_direction=current_direction,
        interface_language_choices=interface_language_choices,
        text_direction=text_direction,
    )


def _has_catalogue(app, code: str) -> bool:
    return (Path(app.root_path) / "translations" / code / "LC_MESSAGES" / "messages.po").exists()
