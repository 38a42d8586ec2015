"""``{% load place_labels %}`` — a place in context: ``{% place_label place %}`` renders "尚书苑 2号楼 1单元 101"
(for staff with the full path as its title); ``{% place_label place upto="compound" %}`` cuts it at the
compound. Give a list's places their labels first (``places.labels.attach_labels``: one query per page)."""

from django import template
from django.utils.html import format_html

from ..labels import attach_labels, label_for, title_for

register = template.Library()


@register.simple_tag(takes_context=True)
def place_label(context, place, upto=None):
    if place is None:
        return ""
    request = context.get("request")
    viewer = getattr(request, "user", None) if request is not None else context.get("user")
    text = label_for(place, viewer, upto=upto)
    title = title_for(place, viewer) if upto is None else ""
    if title and title != text:
        return format_html('<span class="place-label" title="{}">{}</span>', title, text)
    return format_html('<span class="place-label">{}</span>', text)


@register.filter
def place_text(place, upto=None):
    """The short label as plain text (for attributes and exports in templates)."""
    return label_for(place, upto=upto)


@register.simple_tag
def label_places(rows, field=""):
    """``{% label_places page.object_list "place" %}`` before a list: labels every row's place (``field``; ""
    for rows that are places) in one query, so each ``{% place_label %}`` below costs nothing. Renders
    nothing."""
    rows = list(rows or ())
    attach_labels([_field(r, field) for r in rows] if field else rows)
    return ""


def _field(row, field):
    value = row
    for part in field.split("."):
        value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
        if value is None:
            return None
    return value
