"""Names of countries and subdivisions in other languages, from the iso-codes translations."""

from __future__ import annotations

import gettext

import pycountry

__all__ = ["ISO_CODES_SOURCE", "ISO_NAME_LANGUAGES", "iso_name", "iso_names"]

#: Languages whose names of countries and subdivisions come from the iso-codes translations.
ISO_NAME_LANGUAGES = ("km", "ko")
#: Where those translations come from (pycountry ships the Debian iso-codes project's files).
ISO_CODES_SOURCE = "https://salsa.debian.org/iso-codes-team/iso-codes"


def iso_name(domain: str, name: str, lang: str) -> str | None:
    """The iso-codes translation of a country's or subdivision's name, if there is a plain one.

    Args:
        domain: ``iso3166-1`` (countries) or ``iso3166-2`` (subdivisions).
        name: the English name as pycountry gives it.
        lang: the language code (``km``, ``ko``).

    Returns:
        The translated name, or None where there is none, it equals the English, or it is an
        index form with a comma or parentheses.

    Examples:
        >>> iso_name("iso3166-2", "Gyeongsangbuk-do", "ko")
        '경상북도'
        >>> iso_name("iso3166-1", "Korea, Republic of", "km") is None
        True
    """
    try:
        catalog = gettext.translation(domain, pycountry.LOCALES_DIR, languages=[lang])
    except OSError:
        return None
    text = " ".join(catalog.gettext(name).replace("\u200b", "").split())
    if not text or text == name or any(c in text for c in ",()"):
        return None
    return text


def iso_names(code: str) -> list[tuple[str, str]]:
    """The names of an ISO 3166-1 country (``KH``) or 3166-2 subdivision (``KR-47``) in each of
    ``ISO_NAME_LANGUAGES``, as (language, name).

    Examples:
        >>> iso_names("KR-47"), iso_names("KH")
        ([('ko', '경상북도')], [('km', 'កម្ពុជា'), ('ko', '캄보디아')])
    """
    if "-" in code:
        sub = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
        domain, name = "iso3166-2", getattr(sub, "name", None)
    else:
        country = pycountry.countries.get(alpha_2=code)
        domain, name = "iso3166-1", getattr(country, "name", None)
    if not name:
        return []
    found = [(lang, iso_name(domain, name, lang)) for lang in ISO_NAME_LANGUAGES]
    return [(lang, text) for lang, text in found if text]
