import datetime
from decimal import Decimal


def plain(value):
    """A JSON-friendly form of a field value for the audit trail."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value
