"""Request pages: residents on phones (file, follow, rate), staff queues and the request page with the
moves the viewer may make, department whistles, rankings, catalogue and calendar, routing rules and duty
rosters."""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from gongzhi.core import registry
from gongzhi.core.calendar import missing_next_year
from gongzhi.core.exports import export_limit, record_export, xlsx_response
from gongzhi.core.files import serve_upload
from gongzhi.core.forms import apply_errors, run_form
from gongzhi.core.models import Holiday
from gongzhi.core.params import ID_MAX, QueryParams, to_int
from gongzhi.core.permissions import is_staff
from gongzhi.core.roles import MANAGING_ROLES, Role
from gongzhi.core.scope import in_scopes, scope_organisations, user_roles, user_scopes
from gongzhi.people.models import Organisation, OrgKind, Person, Position
from gongzhi.places import geo
from gongzhi.places.labels import attach_labels, label_for, labelled, title_for
from gongzhi.places.models import Kind, Place

from . import actions, visibility
from .events import Verb
from .forms import (
    PUBLIC_VALUES,
    CategoryForm,
    DispatchForm,
    DutyForm,
    FileRequestForm,
    HolidayForm,
    LevelForm,
    MergeForm,
    NoteForm,
    RateForm,
    ReasonForm,
    ReportForm,
    ResolveForm,
    RoutingRuleForm,
    ServiceSettingsForm,
    WhistleForm,
)
from .models import (
    PLACE_ROLES,
    Category,
    Duty,
    Request,
    RoutingRule,
    ServiceLevel,
    ServiceSettings,
    Status,
    Urgency,
    Whistle,
)
from .queries import (
    DISPATCHABLE_KINDS,
    DUE_FILTERS,
    GROUPINGS,
    MINE,
    department_whistles,
    dispatch_targets,
    my_requests,
    queue,
    queue_page,
    rates,
    routing_targets,
    whistle_counts,
)


def _visible(request, pk) -> Request:
    qs = Request.objects.visible_to(request.user).select_related("category", "place", "handler", "reporter",
                                                                 "assignee", "merged_into")
    return get_object_or_404(qs, pk=pk)


# the queue's 工作台 filters, named on the page when one is on (``queries.mine_q``, ``queries.due_q``)
QUEUE_FILTER_LABELS = {"mine=assigned": _l("派给我的"), "mine=to_accept": _l("待我接单"),
                       "mine=to_dispatch": _l("待我派单"), "due=overdue": _l("超时"),
                       "due=soon": _l("即将超时")}
WHISTLE_STATE_LABELS = {"waiting": _l("待报到"), "overdue": _l("报到超时"),
                        "to_report": _l("待反馈处置情况")}


@login_required
def request_list(request):
    """Residents: their own requests. Staff: the queue of their scope, overdue first."""
    if not is_staff(request.user):
        status = request.GET.get("status", "")
        page = Paginator(my_requests(request.user, status=status), 20).get_page(request.GET.get("page"))
        return render(request, "workorders/mine.html", {
            "page": page, "status_label": Status(status).label if status in Status.values else ""})
    filters = _queue_filters(request)
    page = queue_page(request.user, request.GET.get("page"), **filters)
    user = request.user
    attach_labels([r.place for r in page.object_list])  # one query for the page's places in context
    for r in page.object_list:
        view = visibility.shown(r, user)
        r.shown_place = visibility.location_name(r, view)
        # the full path on hover only where the room itself is shown (staff; places.labels.title_for)
        r.place_title = title_for(r.place, user) if view.location == visibility.Precision.FULL else ""
    chosen = (f"mine={filters['mine']}", f"due={filters['due']}")
    return render(request, "workorders/queue.html", {
        "page": page, "statuses": Status.choices, "categories": Category.objects.filter(active=True),
        "todo_filter": "、".join(str(label) for key, label in QUEUE_FILTER_LABELS.items() if key in chosen),
        "filters": request.GET, "now": timezone.now(), "can_file": _may_file_for_others(user),
        "handles": user.is_superuser or bool(scope_organisations(user)),
        "dispatches": user.is_superuser or bool(user_roles(user) & MANAGING_ROLES),
    })


def _may_file_for_others(user) -> bool:
    """代居民下单: staff whose scope lets them file (``may_file_at``: the place roles), not a company's or a
    department's staff, who only handle what they are given."""
    return user.is_superuser or bool(user_roles(user) & PLACE_ROLES)


def _queue_filters(request) -> dict:
    mine, due = request.GET.get("mine", ""), request.GET.get("due", "")
    return {"status": request.GET.get("status", ""), "category": request.GET.get("category", ""),
            "q": request.GET.get("q", "").strip(), "only_open": request.GET.get("all") != "1",
            "mine": mine if mine in MINE else "", "due": due if due in DUE_FILTERS else "",
            **({"unlocated": True} if request.GET.get("unlocated") == "1" else {})}


@login_required
def request_export(request):
    """The dispatcher's queue as .xlsx: every matching row (up to the export limit), the page's filters and
    scope, overdue first."""
    if not is_staff(request.user):
        raise PermissionDenied
    filters = _queue_filters(request)
    now = timezone.now()
    header = [_("编号"), _("类别"), _("紧急程度"), _("位置"), _("详细地址"), _("状态"), _("承办组织"), _("来源"),
              _("下单时间"), _("响应时限"), _("办结时限"), _("超时"), _("督办层级"), _("问题描述")]

    def when(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    rows = queue(request.user, now=now, **filters)[:export_limit() + 1]
    user = request.user

    def line(r):
        view = visibility.shown(r, user)  # the same policy as the page: place precision, 详细地址
        return [r.number, r.category.name, r.get_urgency_display(), visibility.location_name(r, view),
                visibility.address(r, view), r.get_status_display(), r.handler.name if r.handler else "",
                r.get_channel_display(), when(r.created_at), when(r.response_due_at), when(r.resolution_due_at),
                _("是") if r.overdue else "", r.get_escalation_level_display(),
                r.description if view.description else ""]

    lines = (line(r) for r in labelled(rows.select_related("reporter", "assignee").iterator(chunk_size=2000),
                                       lambda r: r.place))
    title = _("诉求工单")
    response, count, truncated = xlsx_response(title, title, header, lines)
    record_export(request.user, Verb.EXPORT_REQUESTS, summary=title, filters=filters, rows=count,
                  truncated=truncated)
    return response


def _places_for_filing(user):
    """The places ``user`` may file at (``workorders.file_request``, the action's own check), as choices.
    Residents: their household and its unit/building/compound (common areas). Staff: compounds and buildings
    in scope. Someone who may file nowhere (a property company's or a department's staff) gets none."""
    may_file = user.has_perm
    if is_staff(user):
        qs = Place.objects.visible_to(user).filter(kind__in=[Kind.COMPOUND, Kind.BUILDING]).order_by("path")[:500]
        return [(p, f"{p.get_kind_display()} · {p.name}" if p.kind == Kind.COMPOUND else f"　{p.name}") for p in qs
                if may_file("workorders.file_request", p)]
    options: list[tuple[Place, str]] = []
    for s in user_scopes(user):
        if s.role != Role.RESIDENT:
            continue
        home = Place.objects.get(pk=s.place_id)
        ancestors = {a.kind: a for a in home.ancestors()}
        options.append((home, _("我家（%(n)s）") % {"n": label_for(home)}))
        for kind, label in ((Kind.UNIT, _("本单元公共区域")), (Kind.BUILDING, _("本楼公共区域")),
                            (Kind.COMPOUND, _("小区公共区域"))):
            if kind in ancestors:
                options.append((ancestors[kind], f"{label}（{label_for(ancestors[kind])}）"))
    return [(p, label) for p, label in options if may_file("workorders.file_request", p)]


@login_required
def request_new(request):
    staff = is_staff(request.user)
    categories = Category.objects.filter(active=True)
    places = _places_for_filing(request.user)
    if not places:  # say so, and what to do instead, rather than a form whose submit is refused
        return render(request, "workorders/new.html", {"form": None, "staff": staff})
    form = FileRequestForm(request.POST or None, request.FILES or None, categories=categories, places=places,
                           staff=staff)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        place = next(p for p, _label in places if str(p.pk) == data["place"])
        try:
            req = actions.file_request(
                by=request.user, category=categories.filter(code=data["category"]).first(),
                description=data["description"], place=place, urgency=data["urgency"],
                channel=data.get("channel", "app"), anonymous=data["anonymous"], address=data["address"],
                contact_name=data.get("contact_name", ""), contact_phone=data.get("contact_phone", ""),
                photos=data["photos"], public=PUBLIC_VALUES.get(data.get("public") or "auto"),
                named_to_committee=data["named_to_committee"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已提交，编号 %(n)s。处理进展会通知您。") % {"n": req.number})
            return redirect("workorders:detail", pk=req.pk)
    return render(request, "workorders/new.html", {"form": form, "staff": staff})


# the blank form of each move that takes input (dispatch and whistle are built with their choices)
MOVE_FORMS = {"reject": ReasonForm, "merge": MergeForm, "resolve": ResolveForm, "return": ReasonForm,
              "rate": RateForm, "reopen": ReasonForm, "follow_up": NoteForm}


def _action_forms(request, req: Request, bound: dict | None = None) -> dict:
    """The forms for the moves this viewer may make now (``actions.allowed_moves``, the verbs' own prechecks;
    a move without input maps to None). A bound form replaces its blank one."""
    forms: dict = {}
    for move in actions.allowed_moves(req, request.user):
        if move == "dispatch":
            organisations = dispatch_targets(req)
            people = [(p.person, p.organisation) for p in Position.objects.active()
                      .filter(organisation__in=organisations).select_related("person", "organisation")
                      .order_by("organisation_id", "person__name")]
            suggested = actions.route(req.category, req.place)
            forms[move] = DispatchForm(organisations=organisations, people=people,
                                       initial={"organisation": suggested.pk if suggested else None})
        elif move == "whistle":
            forms[move] = WhistleForm(departments=_departments(req))
        else:
            form_class = MOVE_FORMS.get(move)
            forms[move] = form_class() if form_class is not None else None
    forms.update(bound or {})
    return forms


def _departments(req):
    return dispatch_targets(req).filter(kind=OrgKind.DEPARTMENT)


@login_required
def request_detail(request, pk, bound: dict | None = None, status: int = 200):
    req = _visible(request, pk)
    timeline = visibility.timeline(req, visibility.shown(req, request.user))
    whistles = list(req.whistles.select_related("department").order_by("created_at"))
    for w in whistles:
        setattr(w, "can_act", request.user.has_perm("workorders.acknowledge_whistle", w))  # noqa: B010
        setattr(w, "report_form", (bound or {}).get(f"report-{w.pk}") or ReportForm())  # noqa: B010
    view = visibility.shown(req, request.user)
    forms = _action_forms(request, req, bound)
    return render(request, "workorders/detail.html", {
        "req": req, "timeline": timeline, "whistles": whistles, "view": view,
        "location": visibility.location(req, view), "reporter_name": visibility.reporter_name(req, view),
        "contact_name": visibility.contact_name(req, view), "contact_phone": visibility.contact_phone(req, view),
        "photos": visibility.photos(req, view), "forms": forms, "moves": _ordered_moves(req, request.user, forms),
        "now": timezone.now(), "point": _point_shown(req, view), "can_locate": _can_locate(req, request.user),
        # sections other apps add to the page (meetings: 提交联席会), by the registry
        "panels": registry.panels_for("workorders.request", request, req),
    }, status=status)


def _point_shown(req: Request, view) -> str:
    """The point an Open311 client sent, as copyable text — only to those shown the request at full precision
    (it may be the resident's doorstep; docs/privacy.md)."""
    if req.latitude is None or req.longitude is None or view.location != visibility.Precision.FULL:
        return ""
    return geo.point_text(req.latitude, req.longitude)


def _can_locate(req: Request, user) -> bool:
    try:
        actions.precheck_assign_place(req, user)
    except (PermissionDenied, actions.StateConflict):
        return False
    return True


@login_required
def locate(request, pk):
    """待定位 → 指定位置: the point the client sent (as text: no outside map is reachable), a sketch of the
    located compounds around it, nearest first, each with a one-click 指定到此 (``actions.assign_place``)."""
    req = _visible(request, pk)
    if not _can_locate(req, request.user):
        raise PermissionDenied
    if request.method == "POST":
        try:
            place = Place.objects.filter(pk=to_int(request.POST.get("place"), low=1, high=ID_MAX)).first()
        except ValueError:
            place = None
        if place is None:
            messages.error(request, _("请选择小区或楼栋"))
        else:
            try:
                actions.assign_place(req, place, by=request.user)
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
            else:
                messages.success(request, _("已指定位置：%(place)s") % {"place": label_for(place, request.user)})
                return redirect("workorders:detail", pk=req.pk)
    nearby = []
    if req.latitude is not None and req.longitude is not None:
        nearby = geo.nearby_compounds(float(req.latitude), float(req.longitude), under=req.place, limit=12)
    listed = {p.pk for p, _d, _in in nearby}
    others = list(Place.objects.filter(kind=Kind.COMPOUND, path__startswith=req.place.path)
                  .exclude(pk__in=listed).order_by("path")[:200])
    attach_labels([p for p, _d, _in in nearby] + others)
    return render(request, "workorders/locate.html", {
        "req": req, "point": geo.point_text(req.latitude, req.longitude) if req.latitude is not None else "",
        "nearby": [{"place": p, "label": label_for(p, request.user), "metres": round(d), "inside": inside}
                   for p, d, inside in nearby],
        "others": [{"place": p, "label": label_for(p, request.user)} for p in others],
        "sketch": _sketch(req, nearby), "radius": settings.GONGZHI_OPEN311_RADIUS_M,
    })


def _sketch(req: Request, nearby) -> dict | None:
    """An inline SVG of the point and the compounds near it (metres east/north of the point, north up): drawn
    here, so the page needs no outside map tiles."""
    if req.latitude is None or req.longitude is None or not nearby:
        return None
    lat0, lng0 = float(req.latitude), float(req.longitude)
    k = math.cos(math.radians(lat0))

    def xy(lat, lng):
        return (geo.EARTH_RADIUS_M * math.radians(lng - lng0) * k, -geo.EARTH_RADIUS_M * math.radians(lat - lat0))

    marks = []
    for i, (p, metres, _inside) in enumerate(nearby, start=1):
        centre = geo.centre_of(p)
        if centre is None:
            continue
        x, y = xy(*centre)
        marks.append({"n": i, "x": round(x), "y": round(y), "name": p.name, "metres": round(metres)})
    extent = max([150] + [max(abs(m["x"]), abs(m["y"])) for m in marks]) * 1.15
    return {"marks": marks, "extent": round(extent), "size": round(extent * 2), "r": round(extent / 40) or 1,
            "font": round(extent / 14) or 1}


# each move's box on the request page: title, button label, button style, multipart
MOVE_BOXES = {
    "dispatch": (_l("派单"), _l("派单"), "btn-primary", False),
    "grab": (_l("抢单"), _l("抢单"), "btn-primary", False),
    "accept": (_l("接单"), _l("接单"), "btn-primary", False),
    "start": (_l("开始处理"), _l("开始处理"), "btn-outline-primary", False),
    "resolve": (_l("办结"), _l("办结"), "btn-primary", True),
    "rate": (_l("评价办理结果"), _l("提交评价"), "btn-primary", False),
    "reopen": (_l("不满意？申请重办"), _l("申请重办"), "btn-outline-danger", False),
    "return": (_l("退回派单人"), _l("退回"), "btn-outline-danger", False),
    "whistle": (_l("吹哨（召集职能部门）"), _l("吹哨"), "btn-outline-primary", False),
    "reject": (_l("驳回（不属于受理范围）"), _l("驳回"), "btn-outline-danger", False),
    "merge": (_l("合并重复诉求"), _l("合并"), "btn-outline-secondary", False),
    "follow_up": (_l("回访"), _l("记录回访"), "btn-outline-secondary", False),
}
HANDLER_MOVES = ("grab", "accept", "start", "resolve", "return")
RESIDENT_MOVES = ("rate", "reopen")
DISPATCHER_MOVES = ("dispatch", "whistle", "reject", "merge", "follow_up")


def _ordered_moves(req: Request, user, forms: dict) -> list[dict]:
    """The moves the viewer may make, those of their own part in this request first: a handler's (接单, 办结 …)
    before a cross-appointed handler's community tools (派单, 吹哨, 合并), the reporter's first for the reporter."""
    if visibility.is_reporter(req, user):
        order = RESIDENT_MOVES + HANDLER_MOVES + DISPATCHER_MOVES
    elif visibility.is_assigned_handler(req, user) or (
            req.handler_id is not None and visibility.holds_post_in(user, {req.handler_id})):
        order = HANDLER_MOVES + DISPATCHER_MOVES + RESIDENT_MOVES
    else:
        order = DISPATCHER_MOVES + HANDLER_MOVES + RESIDENT_MOVES
    boxes = []
    for move in order:
        if move in forms:
            title, label, btn, multipart = MOVE_BOXES[move]
            boxes.append({"verb": move, "form": forms[move], "title": title, "label": label, "btn": btn,
                          "multipart": multipart})
    return boxes


@require_POST
@login_required
def reveal_phone(request, pk):
    """查看完整联系电话 (audited): the number, for an htmx swap or as a small page."""
    req = _visible(request, pk)
    phone = actions.reveal_contact_phone(req, by=request.user)
    return HttpResponse(format_html('<span class="font-monospace" data-testid="phone-full">{}</span>', phone or "—"))


@require_POST
@login_required
def set_public(request, pk):
    """公开 / 不公开 — the reporter's own choice, changeable at any time (docs/privacy.md)."""
    req = _visible(request, pk)
    public = request.POST.get("public") == "1"
    actions.set_request_public(req, public, by=request.user)
    messages.success(request, _("已设为公开：公示栏和开放接口只显示类别、描述、状态和小区") if public
                     else _("已设为不公开：公示栏和开放接口不再显示这条诉求"))
    return redirect("workorders:detail", pk=req.pk)


@require_POST
@login_required
def act(request, pk, verb):
    """One POST endpoint per move; the action decides (table + rights), the page shows the outcome."""
    req = _visible(request, pk)
    user = request.user
    form = None
    try:
        if verb == "dispatch":
            organisations = dispatch_targets(req)
            people = [(p.person, p.organisation) for p in Position.objects.active()
                      .filter(organisation__in=organisations).select_related("person", "organisation")]
            form = DispatchForm(request.POST, organisations=organisations, people=people)
            if form.is_valid():
                d = form.cleaned_data
                assignee = Person.objects.filter(pk=d["assignee"]).first() if d["assignee"] else None
                actions.dispatch_request(req, to=organisations.get(pk=d["organisation"]), assignee=assignee,
                                         mode=d["mode"], note=d["note"], by=user)
        elif verb in ("reject", "return", "reopen"):
            form = ReasonForm(request.POST)
            if form.is_valid():
                fn = {"reject": actions.reject_request, "return": actions.return_request,
                      "reopen": actions.reopen_request}[verb]
                fn(req, by=user, reason=form.cleaned_data["reason"])
        elif verb == "merge":
            form = MergeForm(request.POST)
            if form.is_valid():
                into = Request.objects.visible_to(user).filter(number=form.cleaned_data["into"].strip()).first()
                if into is None:
                    raise ValidationError({"into": _("找不到该编号的诉求")})
                actions.merge_request(req, into=into, by=user)
        elif verb == "whistle":
            departments = _departments(req)
            form = WhistleForm(request.POST, departments=departments)
            if form.is_valid():
                actions.whistle_request(req, department=departments.get(pk=form.cleaned_data["department"]),
                                        by=user, note=form.cleaned_data["note"])
        elif verb == "grab":
            actions.grab_request(req, by=user)
        elif verb == "accept":
            actions.accept_request(req, by=user)
        elif verb == "start":
            actions.start_request(req, by=user)
        elif verb == "resolve":
            form = ResolveForm(request.POST, request.FILES)
            if form.is_valid():
                actions.resolve_request(req, by=user, result_note=form.cleaned_data["result_note"],
                                        photos=form.cleaned_data["photos"])
        elif verb == "rate":
            form = RateForm(request.POST)
            if form.is_valid():
                actions.rate_request(req, by=user, rating=form.cleaned_data["rating"],
                                     comment=form.cleaned_data["comment"])
        elif verb == "follow_up":
            form = NoteForm(request.POST)
            if form.is_valid():
                actions.follow_up_request(req, by=user, note=form.cleaned_data["note"])
        else:
            raise Http404
    except ValidationError as exc:
        if form is None:  # moves without a form (grab, accept, start): say why on the page
            for message in exc.messages:
                messages.error(request, message)
            return redirect("workorders:detail", pk=req.pk)
        apply_errors(form, exc)
    if form is not None and form.errors:
        return request_detail(request, pk, bound={verb: form}, status=400)
    messages.success(request, _("已%(verb)s") % {"verb": actions.VERB_LABELS.get(verb, _("保存"))})
    return redirect("workorders:detail", pk=req.pk)


@require_POST
@login_required
def whistle_act(request, pk, verb):
    whistle = get_object_or_404(Whistle.objects.select_related("request"), pk=pk)
    req = _visible(request, whistle.request_id)  # out of scope → 404 before any right is checked
    try:
        if verb == "acknowledge":
            actions.acknowledge_whistle(whistle, by=request.user)
        elif verb == "report":
            form = ReportForm(request.POST)
            if not form.is_valid():
                return request_detail(request, req.pk, bound={f"report-{whistle.pk}": form}, status=400)
            actions.report_whistle(whistle, by=request.user, report=form.cleaned_data["report"])
        else:
            raise Http404
    except ValidationError as exc:
        form = ReportForm(request.POST)
        form.is_valid()
        apply_errors(form, exc)
        return request_detail(request, req.pk, bound={f"report-{whistle.pk}": form}, status=400)
    messages.success(request, _("已报到") if verb == "acknowledge" else _("已反馈处置情况"))
    return redirect("workorders:detail", pk=req.pk)


@login_required
def photo(request, pk, photo_pk):
    req = _visible(request, pk)
    attachment = get_object_or_404(req.photos.filter(pk__in=[p.pk for p in visibility.photos(
        req, visibility.shown(req, request.user))]), pk=photo_pk)
    # the type of the re-encoded image the server stored, never the uploader's name for it (core/files.py)
    return serve_upload(attachment.file, name=f"photo-{attachment.pk}", inline_images=True)


@login_required
def whistles(request):
    """吹哨报到 — a department's list of whistles, unacknowledged first."""
    state = request.GET.get("state", "")
    qs = department_whistles(request.user, state=state).select_related("request", "department")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "workorders/whistles.html", {"page": page, "now": timezone.now(),
                                                        "state_label": WHISTLE_STATE_LABELS.get(state, "")})


RANKING_KEYS = ("response_rate", "resolution_rate", "satisfaction_rate", "per_thousand_households", "total")


def _rankings(request):
    """The rankings page's rows for its GET parameters (the page and its export show the same)."""
    if not is_staff(request.user):
        raise PermissionDenied
    by = request.GET.get("by", "company")
    if by not in GROUPINGS:
        by = "company"
    params = QueryParams(request.GET)  # year 1 or 9999, month 13: this month instead, and the page says so
    month = params.month("month", _("月份")) or timezone.localdate().replace(day=1)
    rows = rates(request.user, month=month, by=by)
    key = request.GET.get("sort", "satisfaction_rate")
    if key not in RANKING_KEYS:
        key = "satisfaction_rate"
    rows.sort(key=lambda r: (getattr(r, key) is None, -(getattr(r, key) or 0)))
    return rows, by, month, key, params.ignored


@login_required
def rankings(request):
    """三率 rankings, normalised per 1,000 households, with the number of requests behind each."""
    rows, by, month, key, ignored = _rankings(request)
    return render(request, "workorders/rankings.html", {"rows": rows, "by": by, "month": month, "sort": key,
                                                        "whistles": whistle_counts(request.user, month=month),
                                                        "ignored": ignored})


def _percent(value):
    return None if value is None else round(float(value) * 100, 1)


def _number(value, places=1):
    return None if value is None else round(float(value), places)


@login_required
def rankings_export(request):
    """三率排名 as .xlsx: the figures on the page with the counts behind each."""
    rows, by, month, key, _ignored = _rankings(request)
    header = [_("名次"), _("名称"), _("诉求数"), _("服务户数"), _("千户诉求量"),
              _("响应率(%)"), _("按时接单"), _("响应基数"),
              _("解决率(%)"), _("已办结"), _("解决基数"), _("按时办结"),
              _("满意率(%)"), _("满意"), _("基本满意"), _("已评价"), _("超期未评价"), _("满意率基数"),
              _("一次满意率(%)"), _("首次评价"), _("首次满意"),
              _("重办率(%)"), _("重办"), _("平均办结(小时)")]
    lines = ([i, r.label, r.total, r.households, _number(r.per_thousand_households),
              _percent(r.response_rate), r.responded_on_time, r.response_base,
              _percent(r.resolution_rate), r.resolved, r.resolution_base, r.resolved_on_time,
              _percent(r.satisfaction_rate), r.satisfied, r.basic_satisfied, r.rated, r.unrated, r.satisfaction_base,
              _percent(r.first_satisfaction_rate), r.first_rated, r.first_satisfied,
              _percent(r.reopen_rate), r.reopened, _number(r.avg_hours_to_resolve)]
             for i, r in enumerate(rows, start=1))
    title = _("三率排名")
    response, count, truncated = xlsx_response(f"{title}-{month:%Y-%m}", title, header, lines)
    record_export(request.user, Verb.EXPORT_RANKINGS, summary=f"{title} {month:%Y-%m}",
                  filters={"month": f"{month:%Y-%m}", "by": by, "sort": key}, rows=count, truncated=truncated)
    return response


def _require_catalogue(request) -> None:
    if not request.user.has_perm("workorders.manage_catalogue"):
        raise PermissionDenied


@login_required
def catalogue(request):
    """服务目录 — the categories (active and stopped) with their default handler and their 时限 per urgency."""
    _require_catalogue(request)
    categories = list(Category.objects.select_related("department").order_by("-active", "sort", "pk"))
    levels: dict[int, list[ServiceLevel]] = {}
    for level in ServiceLevel.objects.order_by("category_id", "urgency"):
        levels.setdefault(level.category_id, []).append(level)
    order = {u: i for i, u in enumerate(Urgency.values)}
    for c in categories:
        c.level_rows = sorted(levels.get(c.pk, []), key=lambda lv: order.get(lv.urgency, 99))
    return render(request, "workorders/catalogue.html", {"categories": categories})


def _category_form(data=None, initial=None, with_code=True) -> CategoryForm:
    departments = Organisation.objects.filter(kind=OrgKind.DEPARTMENT).order_by("name")
    return CategoryForm(data, initial=initial, departments=departments, with_code=with_code)


@login_required
def category_new(request):
    _require_catalogue(request)
    form = _category_form(request.POST or None)
    if run_form(request, form, lambda d: actions.create_category(by=request.user, **d), _("已新建服务类别")):
        return redirect("workorders:catalogue")
    return render(request, "workorders/form.html", {"form": form, "title": _("新建服务类别")},
                  status=400 if form.errors else 200)


@login_required
def category_edit(request, pk):
    _require_catalogue(request)
    category = get_object_or_404(Category, pk=pk)
    form = _category_form(request.POST or None, with_code=False, initial={
        "name": category.name, "handler_kind": category.handler_kind, "department": category.department_id,
        "sort": category.sort, "description": category.description, "personal": category.personal})
    if run_form(request, form, lambda d: actions.update_category(category, by=request.user, **d), _("已保存")):
        return redirect("workorders:catalogue")
    return render(request, "workorders/form.html", {
        "form": form, "title": _("修改服务类别：%(name)s（%(code)s）") % {"name": category.name, "code": category.code},
    }, status=400 if form.errors else 200)


@require_POST
@login_required
def category_active(request, pk, verb):
    _require_catalogue(request)
    category = get_object_or_404(Category, pk=pk)
    if verb not in ("activate", "deactivate"):
        raise Http404
    actions.set_category_active(category, active=verb == "activate", by=request.user)
    messages.success(request, _("已启用“%(name)s”") % {"name": category.name} if verb == "activate"
                     else _("已停用“%(name)s”，居民下单时不再显示") % {"name": category.name})
    return redirect("workorders:catalogue")


SETTINGS_FIELDS = ("reopen_days", "unrated_days", "satisfied_min", "basic_satisfied_score", "basic_satisfied_weight",
                   "unrated_in_denominator", "grab_minutes", "whistle_ack_hours", "escalate_after_hours")


@login_required
def service_settings(request):
    """诉求参数 — the windows and the 三率 formulas' parameters."""
    _require_catalogue(request)
    cfg = ServiceSettings.current()
    form = ServiceSettingsForm(request.POST or None, initial={k: getattr(cfg, k) for k in SETTINGS_FIELDS})
    if run_form(request, form, lambda d: actions.update_service_settings(by=request.user, **d), _("已保存诉求参数")):
        return redirect("workorders:catalogue")
    return render(request, "workorders/form.html", {"form": form, "title": _("诉求参数")},
                  status=400 if form.errors else 200)


@login_required
def level_edit(request, pk):
    _require_catalogue(request)
    level = get_object_or_404(ServiceLevel.objects.select_related("category"), pk=pk)
    form = LevelForm(request.POST or None, initial={k: getattr(level, k) for k in (
        "response_value", "response_unit", "resolution_value", "resolution_unit")})
    if run_form(request, form, lambda d: actions.update_service_level(level, by=request.user, **d), _("已保存")):
        return redirect("workorders:catalogue")
    return render(request, "workorders/form.html", {"form": form, "title": str(level)},
                  status=400 if form.errors else 200)


CALENDAR_YEARS = (2000, 2100)


@login_required
def calendar(request):
    _require_catalogue(request)
    form = HolidayForm(request.POST or None)
    if request.method == "POST":
        if "remove" in request.POST:
            remove = request.POST["remove"]
            if not remove.isdigit():
                raise Http404
            day = get_object_or_404(Holiday, pk=int(remove))
            actions.remove_holiday(day, by=request.user)
            return redirect(f"{reverse('workorders:calendar')}?year={day.date.year}")
        if form.is_valid():
            actions.set_holiday(by=request.user, **form.cleaned_data)
            messages.success(request, _("已保存"))
            return redirect(f"{reverse('workorders:calendar')}?year={form.cleaned_data['date'].year}")
    today = timezone.localdate()
    year = today.year
    asked = request.GET.get("year", "").strip()
    if asked:
        if asked.isdigit() and CALENDAR_YEARS[0] <= int(asked) <= CALENDAR_YEARS[1]:
            year = int(asked)
        else:
            messages.warning(request, _("年份须在%(low)s到%(high)s之间，已显示今年") % {
                "low": CALENDAR_YEARS[0], "high": CALENDAR_YEARS[1]})
    days = Holiday.objects.filter(date__year=year)
    return render(request, "workorders/calendar.html", {
        "form": form, "days": days, "year": year, "missing_year": missing_next_year(today),
        "previous_year": year - 1 if year > CALENDAR_YEARS[0] else None,
        "next_year": year + 1 if year < CALENDAR_YEARS[1] else None,
    }, status=400 if form.errors else 200)


# ---------------------------------------------------------------- 派单规则 (street and community staff)


def _rule_places(user):
    """Places a routing rule may name: street down to compound, in the user's dispatching subtrees."""
    qs = Place.objects.filter(kind__in=actions.RULE_PLACE_KINDS).order_by("path")
    return qs if user.is_superuser else qs.filter(in_scopes(user, "", MANAGING_ROLES))


def _rule_form(request, data=None, initial=None) -> RoutingRuleForm:
    return RoutingRuleForm(data, initial=initial, categories=Category.objects.filter(active=True),
                           places=_rule_places(request.user), organisations=routing_targets(request.user))


@login_required
def routing_rules(request):
    """派单规则 — the rules on places in one's subtrees, filtered by category and place."""
    if not request.user.has_perm("workorders.manage_routing"):
        raise PermissionDenied
    qs = (RoutingRule.objects.visible_to(request.user).select_related("category", "place", "organisation")
          .order_by("place__path", F("category__sort").asc(nulls_first=True), "pk"))
    places = _rule_places(request.user)
    category = request.GET.get("category", "")
    if category == "any":
        qs = qs.filter(category__isnull=True)
    elif category:
        qs = qs.filter(category__code=category)
    place_pk = request.GET.get("place", "")
    if place_pk:
        place = places.filter(pk=place_pk).first() if place_pk.isdigit() else None
        qs = qs.filter(place__path__startswith=place.path) if place else qs.none()
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "workorders/routing_rules.html", {
        "page": page, "categories": Category.objects.all(), "places": places, "filters": request.GET,
    })


@login_required
def routing_rule_new(request):
    if not request.user.has_perm("workorders.manage_routing"):
        raise PermissionDenied
    form = _rule_form(request, request.POST or None)
    if run_form(request, form, lambda d: actions.create_routing_rule(by=request.user, **d), _("已新建派单规则")):
        return redirect("workorders:routing_rules")
    return render(request, "workorders/routing_rule_form.html", {"form": form, "title": _("新建派单规则")})


@login_required
def routing_rule_edit(request, pk):
    rule = get_object_or_404(RoutingRule.objects.visible_to(request.user)
                             .select_related("category", "place", "organisation"), pk=pk)
    if not request.user.has_perm("workorders.update_routing_rule", rule):
        raise PermissionDenied
    form = _rule_form(request, request.POST or None, initial={
        "category": rule.category_id, "place": rule.place_id, "organisation": rule.organisation_id})
    if run_form(request, form, lambda d: actions.update_routing_rule(rule, by=request.user, **d), _("已保存")):
        return redirect("workorders:routing_rules")
    return render(request, "workorders/routing_rule_form.html", {"form": form, "rule": rule,
                                                                 "title": _("修改派单规则")})


@require_POST
@login_required
def routing_rule_delete(request, pk):
    rule = get_object_or_404(RoutingRule.objects.visible_to(request.user), pk=pk)
    actions.delete_routing_rule(rule, by=request.user)
    messages.success(request, _("已删除派单规则"))
    return redirect("workorders:routing_rules")


# ---------------------------------------------------------------- 值班 (an organisation's managers)


def _duty_organisation(request, org_pk) -> Organisation:
    """The organisation, if the viewer can see it (else 404) and manages its roster (else 403)."""
    org = get_object_or_404(Organisation.objects.visible_to(request.user).filter(kind__in=DISPATCHABLE_KINDS)
                            .select_related("place"), pk=org_pk)
    if not request.user.has_perm("workorders.add_duty", org):
        raise PermissionDenied
    return org


def _duty_candidates(org: Organisation) -> list:
    """The organisation's people with an active post who are not on its roster yet."""
    on_roster = Duty.objects.filter(organisation=org).values("person_id")
    positions = (Position.objects.active().filter(organisation=org).exclude(person_id__in=on_roster)
                 .select_related("person").order_by("person__name", "person_id"))
    seen: dict[int, tuple] = {}
    for p in positions:
        if p.person_id in seen:
            seen[p.person_id] = (p.person, f"{seen[p.person_id][1]}、{p.get_title_display()}")
        else:
            seen[p.person_id] = (p.person, f"{p.person.name}（{p.get_title_display()}）")
    return list(seen.values())


@login_required
def duty_roster(request, org_pk):
    """值班表 — who of the organisation takes round-robin dispatches (在岗人员轮派)."""
    org = _duty_organisation(request, org_pk)
    form = DutyForm(request.POST or None, people=_duty_candidates(org))
    if run_form(request, form, lambda d: actions.add_duty(
            org, person=Person.objects.get(pk=d["person"]), by=request.user), _("已加入值班")):
        return redirect("workorders:duty", org_pk=org.pk)
    active = set(Position.objects.active().filter(organisation=org).values_list("person_id", flat=True))
    duties = list(Duty.objects.filter(organisation=org).select_related("person")
                  .order_by("-on_duty", "person__name", "pk"))
    for d in duties:
        d.has_post = d.person_id in active
    return render(request, "workorders/duty.html", {"org": org, "duties": duties, "form": form},
                  status=400 if form.errors else 200)


@require_POST
@login_required
def duty_act(request, org_pk, pk, verb):
    org = _duty_organisation(request, org_pk)
    duty = get_object_or_404(Duty.objects.filter(organisation=org), pk=pk)
    if verb in ("on", "off"):
        actions.set_duty(duty, on_duty=verb == "on", by=request.user)
        messages.success(request, _("已设为在岗") if verb == "on" else _("已设为不在岗"))
    elif verb == "remove":
        actions.remove_duty(duty, by=request.user)
        messages.success(request, _("已移出值班"))
    else:
        raise Http404
    return redirect("workorders:duty", org_pk=org.pk)
