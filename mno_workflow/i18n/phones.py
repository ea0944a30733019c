"""Phone numbers as people read them, one format on every page and document: the international
form of ``phonenumbers`` (« +226 70 10 20 31 »), whether the number was stored in E.164 (a user's
SMS number, « +22670102031 ») or typed with spaces (a case's phone field). A number that does not
parse as a valid one is shown as written."""

from __future__ import annotations


def phone_text(value: object) -> str:
    """``value`` in the international format (``+226 70 10 20 31``); ``""`` for None or ``""``;
    a number ``phonenumbers`` does not read as valid (no country code, too short) as written."""
    if value is None or value == "":
        return ""
    text = str(value).strip()
    import phonenumbers  # here: mno --help does not import it

    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_valid_number(number):
        return text
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


#: the example when the SOP's country is unknown or has no example number (Burkina Faso's)
DEFAULT_EXAMPLE = "+226 70 12 34 56"


def example_number(country: str | None) -> str:
    """An example mobile number of ``country`` (ISO 3166 code, ``NE`` → « +227 … ») in the
    international format, from ``phonenumbers``' metadata; :data:`DEFAULT_EXAMPLE` otherwise. So a
    Niger SOP's phone error does not give a Burkina number (tryout 3, F9)."""
    if not country:
        return DEFAULT_EXAMPLE
    import phonenumbers

    number = phonenumbers.example_number_for_type(country.upper()[:2], phonenumbers.PhoneNumberType.MOBILE)
    if number is None:
        return DEFAULT_EXAMPLE
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)

