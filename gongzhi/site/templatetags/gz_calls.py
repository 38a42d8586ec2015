from django import template

from gongzhi.site.contacts import resident_contacts

register = template.Library()


@register.inclusion_tag("includes/call_buttons.html", takes_context=True)
def call_buttons(context):
    """一键呼叫: tel: buttons for the reader's grid worker and community office (nothing for staff-only accounts)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"contacts": resident_contacts(user) if user is not None else []}
