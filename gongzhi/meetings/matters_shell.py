"""What 支部先议 and 民主听证 add to the shell (see gongzhi.core.registry): the menu entry, the 工作台's 待办 card,
where an audit Event on a matter or hearing opens, the compound's public board, and the demo step."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from gongzhi.core import registry
from gongzhi.core.registry import Todo
from gongzhi.core.roles import Role
from gongzhi.core.scope import user_roles

from .matters_demo import seed_matters
from .matters_queries import waiting_count
from .models.matter import DONE_REQUEST_STATUSES, MATTER_ROLES, Hearing, HearingStatus, Matter, MatterStatus


def sees_matters(user) -> bool:
    """The menu entry: staff who read matters, and residents (their compound's hearings and resolved matters)."""
    return bool(user.is_authenticated and (user.is_superuser or user_roles(user) & (MATTER_ROLES | {Role.RESIDENT})))


def matters_todo_card(request):
    """待办 · 支部先议: the matters whose next step is the user's body's (review, revise, resolve, execute)."""
    user = request.user
    if not (user.is_superuser or user_roles(user) & MATTER_ROLES):
        return None
    count = waiting_count(user)
    if not count and not user_roles(user) & {Role.COMMITTEE_MEMBER}:
        return None
    url = reverse("meetings:matter_list")
    return {"title": _t("支部先议"), "more": url,
            "todos": [Todo("matters_waiting", _t("待我方办理"), count, f"{url}?todo=1")]}


def public_rows(compound) -> list[dict]:
    """公示: decided hearings (the supplier chosen, the poll's turnout) and executed matters — titles, outcomes
    and dates only, no names, phones or households."""
    rows = []
    for h in (Hearing.objects.filter(compound=compound, status=HearingStatus.DECIDED).select_related("decided_bid")
              .order_by("-decided_at")[:10]):
        answered = h.opinions.count()
        rows.append({"kind": "hearing", "title": h.subject, "label": _t("民主听证已形成决定"), "date": h.decided_at,
                     "detail": _t("选定 %(s)s（%(p)s元）；%(n)s户表达意见") % {
                         "s": h.decided_bid.supplier if h.decided_bid else "", "p": h.decided_bid.price
                         if h.decided_bid else "", "n": answered}})
    for m in (Matter.objects.filter(compound=compound, status=MatterStatus.EXECUTING,
                                    request__status__in=DONE_REQUEST_STATUSES)
              .select_related("request").order_by("-resolved_at")[:10]):
        rows.append({"kind": "matter", "title": m.title, "label": _t("支部先议事项已执行"),
                     "date": m.request.resolved_at if m.request else None,
                     "detail": _t("业委会决议：赞成%(y)s、反对%(n)s、弃权%(a)s") % {
                         "y": m.votes_for, "n": m.votes_against, "a": m.votes_abstain}})
    return rows


def register() -> None:
    registry.menu("matters", group="work", label=_("支部先议"), url_name="meetings:matter_list", order=45,
                  visible=sees_matters, active_prefixes=("/meetings/matters/", "/meetings/hearings/"))
    registry.home_card("matters_todo", context=matters_todo_card, order=35, section="todo")
    registry.target_link("meetings.matter", url=lambda pk: reverse("meetings:matter_detail", args=[pk]))
    registry.target_link("meetings.hearing", url=lambda pk: reverse("meetings:hearing_detail", args=[pk]))
    registry.public_item("matters", title=_("支部先议与民主听证"), template="meetings/matters/_public_board.html",
                         items=public_rows, order=30)
    registry.demo_step("matters", run=seed_matters, order=40)
