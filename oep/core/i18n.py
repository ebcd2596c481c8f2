"""Languages: the interface's locale, and the names of languages people speak."""

from __future__ import annotations

from babel import Locale
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

#: Interface languages with their own names, for the language switch.
INTERFACE_LANGUAGES = {
    "en": "English",
    "da": "Dansk",
    "de": "Deutsch",
    "it": "Italiano",
    "el": "Ελληνικά",
}

#: Languages an organisation or a participant may declare (ISO 639-1). The five interface
#: languages first, then the languages most spoken in the partner cities' communities.
SPOKEN_LANGUAGES = [
    "en", "da", "de", "it", "el",
    "am", "ar", "bn", "es", "fa", "fr", "ha", "hi", "ku", "ln", "nl", "pa", "pl", "ps",
    "pt", "ro", "ru", "so", "sq", "sv", "sw", "ta", "ti", "tl", "tr", "uk", "ur", "wo",
    "yo", "zh",
]  # fmt: skip


def language_name(code: str, locale=None) -> str:
    """The name of a language in the interface's language (e.g. "ar" -> "Arabisch" in German)."""
    try:
        return Locale.parse(code).get_display_name(locale or get_locale()) or code
    except (ValueError, TypeError):
        return code


def spoken_language_choices(locale=None) -> list[tuple[str, str]]:
    locale = locale or get_locale()
    first = [(c, language_name(c, locale).capitalize()) for c in SPOKEN_LANGUAGES[:5]]
    rest = sorted(
        ((c, language_name(c, locale).capitalize()) for c in SPOKEN_LANGUAGES[5:]),
        key=lambda pair: pair[1].casefold(),
    )
    return first + rest


def interface_language_choices() -> list[tuple[str, str]]:
    return list(INTERFACE_LANGUAGES.items())


#: English is written as in Europe: 24-hour clock, day before month.
FORMATTING_LOCALE = {"en": "en_GB"}


def formatting_locale(code: str) -> str:
    """The locale that formats dates and numbers for an interface language."""
    return FORMATTING_LOCALE.get(code, code)


def select_locale() -> str:
    """The explicit choice in this browser, then the user's setting, then the browser's
    (English formats dates the British way)."""
    return formatting_locale(_chosen_language())


def current_language() -> str:
    """The interface language's code ("en", "da", ...) for lang attributes and switches."""
    return get_locale().language


def _chosen_language() -> str:
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in supported:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return current_user.locale
    return request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app) -> None:
    app.jinja_env.globals["language_name"] = language_name
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["INTERFACE_LANGUAGES"] = INTERFACE_LANGUAGES
