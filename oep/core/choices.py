"""Choice lists for forms: countries, time zones, languages, in the interface's language."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import available_timezones

from babel import Locale
from flask_babel import get_locale

from oep.core.i18n import interface_language_choices, spoken_language_choices

ZONE_REGIONS = ("Africa/", "America/", "Asia/", "Atlantic/", "Australia/", "Europe/", "Indian/", "Pacific/")
#: Babel's two-letter territories that are not countries (unknown region, pseudo-locales,
#: the EU, the eurozone, the UN, outlying Oceania).
NOT_COUNTRIES = ("ZZ", "XA", "XB", "EU", "EZ", "UN", "QO")


@lru_cache(maxsize=1)
def timezone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in available_timezones() if z.startswith(ZONE_REGIONS))
    return [(z, z.replace("_", " ")) for z in zones + ["UTC"]]


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes of the countries a site can be in."""
    return frozenset(
        code
        for code in Locale.parse("en").territories
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    )


def country_choices() -> list[tuple[str, str]]:
    territories = Locale.parse(str(get_locale())).territories
    codes = [(code, name) for code, name in territories.items() if code in country_codes()]
    return sorted(codes, key=lambda pair: pair[1].casefold())


def country_name(code: str) -> str:
    return Locale.parse(str(get_locale())).territories.get(code, code)


__all__ = ["country_choices", "country_name", "interface_language_choices", "language_choices", "timezone_choices"]


def language_choices() -> list[tuple[str, str]]:
    return spoken_language_choices()
