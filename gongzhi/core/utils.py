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


def changed_fields(before: dict, after: dict) -> tuple[dict, dict]:
    """The entries of two snapshots of the same fields that differ, as the audit trail's before/after."""
    changed = [k for k in before if before[k] != after[k]]
    return {k: before[k] for k in changed}, {k: after[k] for k in changed}
