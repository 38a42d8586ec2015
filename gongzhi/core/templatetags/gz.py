from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced (pagination links keep the filters)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    return query.urlencode()


@register.filter
def percent(value, digits: int = 1) -> str:
    """0.8571 → "85.7%" (exact Decimal in, rounded for display only)."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"
