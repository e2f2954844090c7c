"""How the page words its figures: small counts hidden, money as a range and in months of bills."""
from __future__ import annotations

from flask_babel import format_currency
from flask_babel import gettext as _

from ..i18n.formatting import number

SMALL = 10
# CBS 2025: the average household's energy bill, euros a year (issue 17).
AVERAGE_BILL_A_YEAR = 2065


def count(value: int) -> str:
    """0 stays 0; 1 to 9 reads "fewer than 10", so no figure points at a household or two."""
    if 0 < value < SMALL:
        return _("fewer than 10")
    return number(value)


def euros(value: float) -> str:
    # Rounded to tens: an estimate, never a precise number (DOMAIN.md).
    return format_currency(round(value, -1), "EUR", format="¤#,##0", currency_digits=False)


def bill_months(value: float) -> int:
    return round(value / (AVERAGE_BILL_A_YEAR / 12))
