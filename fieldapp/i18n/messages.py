"""Validation messages are plain English msgids, marked with N_ so extraction finds them.

Schemas and operations raise them untranslated; the API's error handler passes every message
through gettext, so the volunteer reads it in the request's language. (Lazy strings would not
do here: marshmallow iterates a non-str message character by character.)
"""


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


# marshmallow's own messages, listed so they are in the catalogs too.


MARSHMALLOW_MESSAGES = (
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Not a valid integer."),
    N_("Not a valid number."),
    N_("Not a valid boolean."),
    N_("Not a valid string."),
    N_("Not a valid datetime."),
    N_("Not a valid date."),
    N_("Not a valid UUID."),
    N_("Not a valid list."),
    N_("Not a valid mapping type."),
    N_("Invalid input type."),
    N_("Invalid value."),
    N_("Unknown field."),
    N_("Invalid input."),
)
