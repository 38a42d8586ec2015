"""The shell's pages: each role's home page (工作台) and a compound's public board (公示栏), both made of
what the apps registered (``gongzhi.core.registry``)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from gongzhi.core.events import verb_choices
from gongzhi.core.models import Event
from gongzhi.core.permissions import is_staff
from gongzhi.core.registry import HOME_SECTIONS, registry
from gongzhi.core.views import filter_events
from gongzhi.places.models import Kind, Place

RECENT = 6  # 最近操作: how many of my own recent actions the home page lists
# not "what I did": signing in and out, reading notices
NOT_WORK = ("core.login", "core.login_failed", "core.logout", "core.change_password", "notices.")


def my_events(user):
    """My own audited work, newest first (not signing in and out, not reading notices)."""
    qs = Event.objects.filter(actor=user).select_related("target_type").order_by("-at", "-pk")
    for verb in NOT_WORK:
        qs = qs.exclude(verb__startswith=verb) if verb.endswith(".") else qs.exclude(verb=verb)
    return qs


def linked(events) -> list[dict]:
    """Each event with the URL of its object, where its app registered how (``registry.target_link``)."""
    links = {link.key: link.url for link in registry.target_links}
    rows = []
    for e in events:
        ct = e.target_type
        url_of = links.get(f"{ct.app_label}.{ct.model}") if ct is not None and e.target_id else None
        rows.append({"event": e, "url": url_of(e.target_id) if url_of else ""})
    return rows


def recent_actions(user) -> list[dict]:
    """最近操作: my last audited actions, newest first, each linked to its object. One query."""
    return linked(my_events(user)[:RECENT])


@login_required
def my_actions(request):
    """我的操作记录 — everything I did, paged, by kind of action and date (the 工作台's 最近操作, in full). Every
    account reads its own; the street's whole log is the audit page."""
    events, filters, ignored = filter_events(my_events(request.user), request.GET)
    page = Paginator(events, 30).get_page(request.GET.get("page"))
    mine = set(my_events(request.user).order_by().values_list("verb", flat=True).distinct())
    return render(request, "site/my_actions.html", {
        "page": page, "rows": linked(page.object_list), "filters": filters, "ignored": ignored,
        "verbs": [(v, label) for v, label in verb_choices() if v in mine],
    })


def shortcuts(user) -> list[dict]:
    """快捷操作 the reader may use: a shortcut to a page the menu also lists is shown only when that menu entry
    is (one rule for who may open the page)."""
    menu = {e.url_name: e for e in registry.menu}

    def shown(s) -> bool:
        entry = menu.get(s.url_name)
        return s.visible(user) and (entry is None or entry.visible(user))

    return [{"key": s.key, "label": s.label, "url": reverse(s.url_name) + (f"?{s.query}" if s.query else "")}
            for s in registry.shortcuts if shown(s)]


@login_required
def home(request):
    """工作台: the 待办 cards the apps registered (what waits for me, each count opening its filtered list),
    my shortcuts and recent actions, then the other cards, in order; each card decides from the reader
    whether it shows."""
    shown = [(c, ctx) for c in registry.home_cards if (ctx := c.context(request)) is not None]
    section = {key: [(c.template, ctx) for c, ctx in shown if c.section == key] for key in HOME_SECTIONS}
    return render(request, "site/home.html", {
        "lead_cards": section["lead"], "todo_cards": section["todo"], "cards": section["main"],
        "card": {c.key: ctx for c, ctx in shown},
        "shortcuts": shortcuts(request.user),
        # 最近操作: staff's work; a resident's own requests are a card of their own
        "recent": recent_actions(request.user) if is_staff(request.user) else [],
    })


def public_board(request, pk):
    """公示栏 of a compound, open to anyone (a QR code on the notice board): only what each app publishes
    there, at compound precision, with no names or phones."""
    compound = get_object_or_404(Place, pk=pk, kind=Kind.COMPOUND)
    sections = [(item, rows) for item in registry.public_items if (rows := item.items(compound))]
    return render(request, "site/public_board.html", {"compound": compound, "sections": sections})
