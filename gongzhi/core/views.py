import json

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .events import Verb, verb_choices
from .exports import export_limit, record_export, xlsx_response
from .forms import LoginForm
from .models import Event
from .params import QueryParams
from .registry import registry


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        Event.record(self.request.user, Verb.LOGIN, self.request.user, summary=self.request.user.get_username())
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        Event.record(self.request.user, Verb.CHANGE_PASSWORD, self.request.user)
        return response


def filter_events(events, get):
    """``?verb=``, ``?since=``, ``?until=`` on a list of events (the audit log, my own actions): the events,
    the filters applied, and those not applied (an impossible or far-off date; the page says so)."""
    params = QueryParams(get)
    verb = get.get("verb", "")
    since, until = params.date("since", _("起始日期")), params.date("until", _("截止日期"))
    if verb:
        events = events.filter(verb=verb)
    if since:
        events = events.filter(at__date__gte=since)
    if until:
        events = events.filter(at__date__lte=until)
    filters = {"verb": verb, "since": since.isoformat() if since else "", "until": until.isoformat() if until else ""}
    return events, filters, params.ignored


def _audit_events(request):
    """The audit page's events for its filters (the page and its export show the same rows)."""
    if not request.user.has_perm("core.view_audit"):
        raise PermissionDenied
    events, filters, ignored = filter_events(Event.objects.visible_to(request.user).select_related("actor"),
                                             request.GET)
    q = request.GET.get("q", "").strip()
    actor = request.GET.get("actor", "").strip()
    if q:
        events = events.filter(Q(summary__icontains=q) | Q(target_repr__icontains=q))
    if actor:  # a name (the person behind the account) or a username
        by_name = registry.names.matching(actor) if registry.names is not None else []
        events = events.filter(Q(actor__username__icontains=actor) | Q(actor_id__in=by_name))
    return events, {"q": q, "actor": actor, **filters}, ignored


@login_required
def audit(request):
    """操作日志 — street staff see the events of their subtrees."""
    events, _filters, ignored = _audit_events(request)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    names = registry.names_of(e.actor_id for e in page.object_list)
    places = registry.place_labels([(e.place_path, e.place_name) for e in page.object_list])
    for e, (label, full) in zip(page.object_list, places, strict=True):
        e.actor_name = _actor_name(e, names)
        e.place_label, e.place_full = label, full
    return render(request, "core/audit.html", {"page": page, "verbs": verb_choices(), "filters": request.GET,
                                               "ignored": ignored})


def _with_place_labels(events, chunk: int = 2000):
    """The events again, each with its ``place_label`` (one labelling per ``chunk`` events)."""
    batch: list = []
    for e in events:
        batch.append(e)
        if len(batch) == chunk:
            yield from _labelled(batch)
            batch = []
    yield from _labelled(batch)


def _labelled(batch: list):
    for e, (label, _full) in zip(batch, registry.place_labels([(e.place_path, e.place_name) for e in batch]),
                                 strict=True):
        e.place_label = label
        yield e


def _actor_name(event, names: dict[int, str]) -> str:
    """Who acted, as the log shows it: the person's name, else the username; the platform itself 系统."""
    if event.actor_id is None:
        return _("系统")
    return names.get(event.actor_id) or event.actor.get_username()


@login_required
def audit_export(request):
    """操作日志 as .xlsx: the page's filters and scope, newest first, up to the export limit."""
    events, filters, _ignored = _audit_events(request)  # the export applies the same (valid) filters
    header = [_("时间"), _("操作人"), _("动作"), _("对象"), _("所属区域"), _("摘要"), _("修改前"), _("修改后"), "IP",
              _("账号")]
    names = registry.names_of(events.order_by().values_list("actor_id", flat=True).distinct())
    lines = ([timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), _actor_name(e, names),
              e.verb_label, e.target_repr, e.place_label, e.summary,
              json.dumps(e.before, ensure_ascii=False) if e.before else "",
              json.dumps(e.after, ensure_ascii=False) if e.after else "", e.ip or "",
              e.actor.get_username() if e.actor else ""]
             for e in _with_place_labels(events[:export_limit() + 1].iterator(chunk_size=2000)))
    title = _("操作日志")
    response, count, truncated = xlsx_response(title, title, header, lines)
    record_export(request.user, Verb.EXPORT_AUDIT, summary=title, filters=filters, rows=count, truncated=truncated)
    return response


@require_POST
def toggle_large_text(request):
    """适老化: large text and high contrast, remembered in a cookie."""
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    if request.COOKIES.get("gz_large") == "1":
        response.delete_cookie("gz_large")
    else:
        response.set_cookie("gz_large", "1", max_age=365 * 24 * 3600, samesite="Lax")
    return response


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def locked_out(request, credentials=None, *args, **kwargs):
    return render(request, "registration/locked_out.html", status=429)
