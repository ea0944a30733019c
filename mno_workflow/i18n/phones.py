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
