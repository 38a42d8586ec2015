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


def apply_changes(obj, values: dict) -> tuple[dict, dict]:
    """Set on ``obj`` the ``values`` that differ from its fields; returns the audit trail's before/after of
    just those (empty when nothing changed)."""
    before, after = {}, {}
    for key, value in values.items():
        old = getattr(obj, key)
        if old != value:
            before[key], after[key] = plain(old), plain(value)
            setattr(obj, key, value)
    return before, after
