"""Pages of joint meetings: the list with its counts, a series, a meeting (agenda, sign-in, topics, resolutions,
minutes), the room's sign-in page, residents' proposals, and 提交联席会 from a request's page. Every read starts
from ``visible_to`` (out of scope: 404); every write is one action (its ValidationError lands on the form)."""

from __future__ import annotations

import io
import re

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.forms import apply_errors
from gongzhi.core.params import QueryParams
from gongzhi.core.permissions import is_staff
from gongzhi.core.roles import MANAGING_ROLES, Role
from gongzhi.core.scope import in_scopes, scope_organisations, user_roles, user_scopes
from gongzhi.people.models import Organisation, Person, Position
from gongzhi.places.models import Kind, Place
from gongzhi.workorders.models import Category, Request

from . import actions
from .forms import (
    AcceptForm,
    AdhocForm,
    AttendanceForm,
    CancelForm,
    CheckinForm,
    CorrectForm,
    DeclineForm,
    DelegatesForm,
    FlagRequestForm,
    FromRequestForm,
    InviteForm,
    LinkForm,
    MinutesForm,
    NoteForm,
    ProposalForm,
    ResolutionForm,
    SeriesForm,
    TopicForm,
)
from .minutes import content_of, invitation_ics, minutes_docx
from .models import (
    ActionItem,
    Attendance,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Topic,
    TopicStatus,
)
from .queries import month_figures, overdue_items, proposals_waiting, resolution_rows, upcoming, with_items


def _meeting(request, pk) -> Meeting:
    return get_object_or_404(Meeting.objects.visible_to(request.user).select_related("series", "place"), pk=pk)


def organises_any(user) -> bool:
    return user.is_superuser or bool(user_roles(user) & MANAGING_ROLES)


def sees_meetings(user) -> bool:
    """Staff (a member organisation's delegates hold staff posts): the meetings list, scoped by ``visible_to``."""
    return is_staff(user)


# ---------------------------------------------------------------- the list


@login_required
def meeting_list(request):
    """The meetings one sees, filtered (community, month, status; ``soon``: the next fortnight's open meetings;
    ``items=overdue``: the overdue action items instead), with held / topics / resolutions / closure rate / average
    days to close per community and month of the filtered meetings."""
    if not sees_meetings(request.user):
        raise PermissionDenied
    user = request.user
    params = QueryParams(request.GET)
    month = params.month("month", _("月份"))
    community = params.int("community", _("社区"), low=1)
    status = request.GET.get("status", "")
    soon = request.GET.get("soon") == "1"
    meetings = upcoming(user) if soon else Meeting.objects.visible_to(user)
    meetings = meetings.select_related("series", "place")
    if month is not None:
        nxt = month.replace(year=month.year + (month.month == 12), month=month.month % 12 + 1)
        meetings = meetings.filter(starts_at__date__gte=month, starts_at__date__lt=nxt)
    community_choices = list(Place.objects.filter(kind=Kind.COMMUNITY, pk__in=_community_ids(user)))
    if community is not None:
        chosen = next((c for c in community_choices if c.pk == community), None)
        meetings = meetings.filter(place__path__startswith=chosen.path) if chosen else meetings.none()
    if status in MeetingStatus.values:
        meetings = meetings.filter(status=status)
    items = request.GET.get("items") == "overdue"
    rows = overdue_items(user) if items else meetings.order_by("-starts_at", "-pk")
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "meetings/list.html", {
        "page": page, "items": items, "figures": [] if items else month_figures(meetings),
        "ignored": params.ignored, "month": month, "community": community, "communities": community_choices,
        "status": status, "soon": soon, "statuses": MeetingStatus.choices, "organiser": organises_any(user),
        "series": MeetingSeries.objects.visible_to(user).select_related("place")[:50],
    })


def _community_ids(user) -> set[int]:
    places = Meeting.objects.visible_to(user).values_list("place__path", flat=True).distinct()
    prefixes = {p[:i] for p in places for i in range(4, len(p) + 1, 4)}
    return set(Place.objects.filter(kind=Kind.COMMUNITY, path__in=prefixes).values_list("pk", flat=True))


# ---------------------------------------------------------------- series


def _series_places(user):
    if user.is_superuser:
        return Place.objects.filter(kind__in=[Kind.COMMUNITY, Kind.COMPOUND]).order_by("path")
    return Place.objects.filter(in_scopes(user, "", MANAGING_ROLES),
                                kind__in=[Kind.COMMUNITY, Kind.COMPOUND]).order_by("path")


def _series_form(request, data=None):
    user = request.user
    orgs = Organisation.objects.visible_to(user).exclude(kind__in=["party_group", "volunteer_team", "alliance"])
    return SeriesForm(data, places=list(_series_places(user)[:200]), organisations=list(orgs.order_by("kind", "name")[:200]))


@login_required
def series_new(request):
    if not organises_any(request.user):
        raise PermissionDenied
    form = _series_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            place = _series_places(request.user).get(pk=d["place"])
            series = actions.create_series(
                by=request.user, place=place, name=d["name"], day_of_month=d["day_of_month"],
                start_time=d["start_time"], duration_minutes=d["duration_minutes"], location=d["location"],
                quorum=d["quorum"], members=list(Organisation.objects.visible_to(request.user)
                                                 .filter(pk__in=d["members"]).order_by("pk")))
            actions.generate_meetings(series, by=request.user)
        except Place.DoesNotExist:
            form.add_error("place", _("请选择您负责的社区或小区"))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已建立%(s)s，并生成了今后几个月的例会") % {"s": series.name})
            return redirect("meetings:series", series.pk)
    return render(request, "meetings/form.html", {"form": form, "title": _("建立联席会议制度")})


@login_required
def series_detail(request, pk, adhoc_form=None, status=200):
    series = get_object_or_404(MeetingSeries.objects.visible_to(request.user).select_related("place"), pk=pk)
    organiser = request.user.has_perm("meetings.schedule_meeting", series)
    members = list(series.members.select_related("organisation").prefetch_related("delegates__person"))
    if organiser:
        for m in members:
            setattr(m, "form", DelegatesForm(  # noqa: B010
                positions=_member_posts(m), initial={"positions": [p.pk for p in m.delegates.all()]}))
    meetings = series.meetings.order_by("-starts_at")[:24]
    return render(request, "meetings/series.html", {
        "series": series, "members": members, "meetings": meetings, "organiser": organiser,
        "adhoc_form": adhoc_form or AdhocForm(),
    }, status=status)


def _member_posts(member):
    return (Position.objects.active().filter(organisation=member.organisation_id).select_related("person")
            .order_by("person__name", "pk"))


@login_required
@require_POST
def member_delegates(request, pk, member_pk):
    series = get_object_or_404(MeetingSeries.objects.visible_to(request.user).select_related("place"), pk=pk)
    member = get_object_or_404(series.members.select_related("organisation"), pk=member_pk)
    if not request.user.has_perm("meetings.set_delegates", series):
        raise PermissionDenied
    posts = list(_member_posts(member))
    form = DelegatesForm(request.POST, positions=posts)
    if form.is_valid():
        chosen = [p for p in posts if p.pk in set(form.cleaned_data["positions"])]
        try:
            actions.set_delegates(member, positions=chosen, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已保存%(o)s的参会代表") % {"o": member.organisation.name})
    else:
        messages.error(request, _("请选择该单位的在岗人员"))
    return redirect("meetings:series", series.pk)


@login_required
@require_POST
def series_act(request, pk, verb):
    series = get_object_or_404(MeetingSeries.objects.visible_to(request.user).select_related("place"), pk=pk)
    if verb == "generate":
        made = actions.generate_meetings(series, by=request.user)
        messages.success(request, _("已生成 %(n)s 次例会") % {"n": len(made)} if made else _("今后几个月的例会都已生成"))
        return redirect("meetings:series", series.pk)
    if verb == "adhoc":
        if not request.user.has_perm("meetings.schedule_meeting", series):
            raise PermissionDenied
        form = AdhocForm(request.POST)
        if form.is_valid():
            try:
                meeting = actions.schedule_meeting(series, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return redirect("meetings:detail", meeting.pk)
        return series_detail(request, pk, adhoc_form=form, status=422)
    raise Http404


# ---------------------------------------------------------------- a meeting


def _called_positions(meeting: Meeting):
    called = meeting.member_organisation_ids() + meeting.invited_organisation_ids()
    signed = Attendance.objects.filter(meeting=meeting, person=OuterRef("person"), organisation=OuterRef("organisation"))
    return (Position.objects.active().filter(organisation_id__in=called).exclude(Exists(signed))
            .select_related("person", "organisation").order_by("organisation_id", "person__name"))


def _forms(request, meeting: Meeting, bound: dict | None = None) -> dict:
    user = request.user
    called = meeting.member_organisation_ids() + meeting.invited_organisation_ids()
    forms = {
        "topic": TopicForm(),
        "invite": InviteForm(organisations=Organisation.objects.visible_to(user).exclude(pk__in=called)
                             .exclude(kind__in=["party_group", "volunteer_team", "alliance"]).order_by("kind", "name")[:200]),
        "attendance": AttendanceForm(positions=_called_positions(meeting)[:200]),
        "resolution": ResolutionForm(topics=meeting.topics.filter(status=TopicStatus.ON_AGENDA),
                                     organisations=Organisation.objects.filter(pk__in=called).order_by("pk"),
                                     categories=Category.objects.filter(active=True)),
        "minutes": MinutesForm(initial=_minutes_initial(meeting)),
        "correct": CorrectForm(),
        "cancel": CancelForm(),
    }
    forms.update(bound or {})
    return forms


def _minutes_initial(meeting: Meeting) -> dict:
    last = meeting.minutes.order_by("-version").first()
    if last is None:
        return {}
    return {"host": last.host, "recorder": last.recorder, "summary": last.summary}


@login_required
def meeting_detail(request, pk, bound: dict | None = None, status: int = 200):
    meeting = _meeting(request, pk)
    user = request.user
    organiser = user.has_perm("meetings.hold_meeting", meeting)
    quorate, missing = actions.quorum_state(meeting)
    rows = resolution_rows(with_items(meeting.resolutions.select_related("topic").order_by("number")))
    topics = list(meeting.topics.filter(status=TopicStatus.ON_AGENDA).select_related("request", "carried_from")
                  .order_by("position", "pk"))
    for t in topics:
        setattr(t, "note_form", (bound or {}).get(f"note-{t.pk}") or NoteForm(initial={"notes": t.notes}))  # noqa: B010
    versions = list(meeting.minutes.order_by("-version"))
    attendances = list(meeting.attendances.select_related("person", "organisation"))
    called = set(meeting.member_organisation_ids()) | set(meeting.invited_organisation_ids())
    return render(request, "meetings/detail.html", {
        "meeting": meeting, "organiser": organiser, "topics": topics, "rows": rows, "quorate": quorate,
        "missing": missing, "attendances": attendances, "versions": versions,
        "locked": actions.minutes_locked(meeting),
        "members": meeting.series.members.select_related("organisation"),
        "invitees": meeting.invitees.select_related("organisation"),
        "forms": _forms(request, meeting, bound) if organiser else {},
        "may_sign_in": meeting.is_open and bool(set(scope_organisations(user)) & called),
        "signed_in": any(a.person.user_id == user.pk for a in attendances),
        "checkin_url": request.build_absolute_uri(reverse("meetings:checkin", args=[meeting.pk]))
        + f"?code={meeting.signin_code}",
    }, status=status)


def _bad(request, pk, key, form):
    return meeting_detail(request, pk, bound={key: form}, status=422)


@login_required
@require_POST
def meeting_act(request, pk, verb):
    meeting = _meeting(request, pk)
    user = request.user
    if not user.has_perm("meetings.hold_meeting", meeting):
        raise PermissionDenied
    forms = _forms(request, meeting)
    try:
        if verb == "publish":
            actions.publish_agenda(meeting, by=user)
            messages.success(request, _("议程已发布，已通知成员单位和列席单位"))
        elif verb == "hold":
            actions.hold_meeting(meeting, by=user)
            messages.success(request, _("会议已结束，请整理会议纪要并定稿"))
        elif verb == "finalise_minutes":
            actions.finalise_minutes(meeting, by=user)
            messages.success(request, _("会议纪要已定稿"))
        elif verb in ("topic", "invite", "attendance", "resolution", "minutes", "correct", "cancel"):
            proto = forms[verb]
            form = _bound(type(proto), request.POST,
                          {n: f.choices for n, f in proto.fields.items() if hasattr(f, "choices")})
            if not form.is_valid():
                return _bad(request, pk, verb, form)
            try:
                _run(verb, meeting, form.cleaned_data, user)
            except ValidationError as exc:
                apply_errors(form, exc)
                return _bad(request, pk, verb, form)
        else:
            raise Http404
    except actions.MeetingConflict as exc:
        messages.error(request, " ".join(exc.messages))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("meetings:detail", meeting.pk)


def _bound(cls, data, choices):
    """A bound form with the same choices as the unbound one on the page."""
    form = cls(data)
    for name, ch in choices.items():
        if name in form.fields:
            form.fields[name].choices = ch
    return form


def _run(verb: str, meeting: Meeting, d: dict, user) -> None:
    if verb == "topic":
        actions.add_topic(meeting, by=user, **d)
    elif verb == "invite":
        org = Organisation.objects.visible_to(user).filter(pk=d["organisation"]).first()
        actions.invite_organisation(meeting, organisation=org, by=user)
    elif verb == "attendance":
        position = _called_positions(meeting).filter(pk=d["position"]).first()
        if position is None:
            raise ValidationError({"position": _("请选择成员单位或列席单位的参会人")})
        actions.sign_in(meeting, by=user, person=position.person, organisation=position.organisation)
    elif verb == "resolution":
        topic = meeting.topics.filter(pk=d["topic"]).first() if d["topic"] else None
        owner = Organisation.objects.filter(pk=d["owner"]).first() if d["owner"] else None
        category = Category.objects.filter(pk=d["category"], active=True).first() if d["category"] else None
        numbers = [n for n in re.split(r"[,，\s]+", d["link"] or "") if n]
        linked = list(Request.objects.visible_to(user).filter(number__in=numbers))
        if len(linked) != len(set(numbers)):
            raise ValidationError({"link": _("诉求编号不存在或无权查看")})
        item = actions.ItemSpec(text=d["item"] or d["text"], spawn=d["spawn"], category=category, link=linked)
        actions.record_resolution(meeting, by=user, text=d["text"], owner=owner, due_date=d["due_date"],
                                  topic=topic, items=[item])
    elif verb == "minutes":
        actions.edit_minutes(meeting, by=user, **d)
    elif verb == "correct":
        actions.correct_minutes(meeting, by=user, reason=d["reason"])
    elif verb == "cancel":
        actions.cancel_meeting(meeting, by=user, reason=d["reason"])


@login_required
@require_POST
def topic_act(request, pk, verb):
    topic = get_object_or_404(Topic.objects.visible_to(request.user).select_related("meeting", "place"), pk=pk)
    user = request.user
    if verb == "note":
        form = NoteForm(request.POST)
        if form.is_valid():
            try:
                actions.note_topic(topic, notes=form.cleaned_data["notes"], by=user)
            except ValidationError as exc:
                apply_errors(form, exc)
        if form.errors:
            if topic.meeting is None:
                raise Http404
            return meeting_detail(request, topic.meeting_id, bound={f"note-{topic.pk}": form}, status=422)
        return redirect("meetings:detail", topic.meeting_id)
    if verb in ("accept", "decline"):
        if not user.has_perm(f"meetings.{verb}_proposal", topic):
            raise PermissionDenied
        form = (AcceptForm(request.POST, meetings=_meetings_for(topic, user)) if verb == "accept"
                else DeclineForm(request.POST))
        if form.is_valid():
            try:
                if verb == "accept":
                    meeting = Meeting.objects.visible_to(user).filter(pk=form.cleaned_data["meeting"]).first()
                    actions.accept_proposal(topic, meeting=meeting, by=user)
                else:
                    actions.decline_proposal(topic, reason=form.cleaned_data["reason"], by=user)
            except ValidationError as exc:
                apply_errors(form, exc)
        if form.errors:
            return proposals(request, bound={f"{verb}-{topic.pk}": form}, status=422)
        messages.success(request, _("已处理议题建议，并已告知居民"))
        return redirect("meetings:proposals")
    raise Http404


@login_required
@require_POST
def link_item(request, pk):
    item = get_object_or_404(ActionItem.objects.select_related("resolution__meeting"), pk=pk,
                             resolution__meeting__in=Meeting.objects.visible_to(request.user))
    meeting = item.resolution.meeting
    if not request.user.has_perm("meetings.link_request", meeting):
        raise PermissionDenied
    form = LinkForm(request.POST)
    if form.is_valid():
        req = Request.objects.visible_to(request.user).filter(number=form.cleaned_data["number"].strip()).first()
        try:
            actions.link_request(item, request=req, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("请填写诉求编号"))
    return redirect("meetings:detail", meeting.pk)


@login_required
def invitation(request, pk):
    meeting = _meeting(request, pk)
    url = request.build_absolute_uri(reverse("meetings:detail", args=[meeting.pk]))
    response = HttpResponse(invitation_ics(meeting, url=url), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


@login_required
def checkin_qr(request, pk):
    meeting = _meeting(request, pk)
    if not request.user.has_perm("meetings.hold_meeting", meeting):
        raise PermissionDenied
    url = request.build_absolute_uri(reverse("meetings:checkin", args=[meeting.pk])) + f"?code={meeting.signin_code}"
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=12, border=2)  # segno: the QR library of the sheets too
    return HttpResponse(buf.getvalue(), content_type="image/svg+xml")


@login_required
def checkin(request, pk):
    """The room's sign-in page (the QR code opens it with the code filled in)."""
    meeting = _meeting(request, pk)
    user = request.user
    called = set(meeting.member_organisation_ids()) | set(meeting.invited_organisation_ids())
    person = Person.objects.filter(user=user).first()
    orgs = list(Organisation.objects.filter(pk__in=actions.posts_for(person, called))) if person else []
    form = CheckinForm(request.POST or None, organisations=orgs, initial={"code": request.GET.get("code", "")[:12]})
    done = meeting.attendances.filter(person__user=user).first()
    if request.method == "POST" and form.is_valid():
        try:
            org = next((o for o in orgs if o.pk == form.cleaned_data.get("organisation")), None)
            done = actions.sign_in(meeting, by=user, code=form.cleaned_data["code"], organisation=org)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("签到成功"))
            return redirect("meetings:checkin", meeting.pk)
    status = 422 if form.errors else 200
    return render(request, "meetings/checkin.html", {"meeting": meeting, "form": form, "done": done,
                                                     "called": bool(orgs)}, status=status)


@login_required
def minutes_file(request, pk, version=None):
    meeting = _meeting(request, pk)
    minutes = meeting.minutes.order_by("-version")
    row = minutes.filter(version=version).first() if version is not None else minutes.first()
    if version is not None and row is None:
        raise Http404
    content = content_of(meeting, row)
    data = minutes_docx(content, final=bool(row and row.is_final))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    suffix = f"-v{row.version}" if row else ""
    response["Content-Disposition"] = f'attachment; filename="minutes-{meeting.pk}{suffix}.docx"'
    return response


# ---------------------------------------------------------------- residents' proposals


def _homes_compounds(user):
    homes = [s.path for s in user_scopes(user) if s.role == Role.RESIDENT]
    prefixes = {h[:i] for h in homes for i in range(4, len(h) + 1, 4)}
    return list(Place.objects.filter(kind=Kind.COMPOUND, path__in=prefixes).order_by("path"))


def _meetings_for(topic: Topic, user):
    return [m for m in actions.next_meetings_for(topic.place)[:10] if user.has_perm("meetings.add_topic", m)]


@login_required
def proposals(request, bound: dict | None = None, status: int = 200):
    """居民提议: a resident's own proposals and the form; organisers: the proposals waiting in their scope."""
    user = request.user
    compounds = _homes_compounds(user)
    form = (bound or {}).get("propose") or ProposalForm(places=compounds)
    if request.method == "POST" and bound is None:
        if not compounds:
            raise PermissionDenied  # proposals are residents' (of their own compound)
        form = ProposalForm(request.POST, places=compounds)
        if form.is_valid():
            d = form.cleaned_data
            place = next((p for p in compounds if p.pk == d.pop("place")), None)
            try:
                actions.propose_topic(by=user, place=place, **d)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已提交议题建议，社区审议后会告诉您结果"))
                return redirect("meetings:proposals")
        status = 422
    mine = list(Topic.objects.filter(proposed_by=user, source__in=["proposal", "flag"]).select_related("meeting", "place")
                .order_by("-created_at")[:50])
    waiting = []
    page = None
    if organises_any(user):
        page = Paginator(proposals_waiting(user).select_related("place").order_by("created_at", "pk"), 30).get_page(
            request.GET.get("page"))
        for t in page.object_list:
            setattr(t, "accept_form",  # noqa: B010
                    (bound or {}).get(f"accept-{t.pk}") or AcceptForm(meetings=_meetings_for(t, user)))
            setattr(t, "decline_form", (bound or {}).get(f"decline-{t.pk}") or DeclineForm())  # noqa: B010
            waiting.append(t)
    if not compounds and not waiting and not mine and not organises_any(user):
        raise PermissionDenied
    return render(request, "meetings/proposals.html", {"form": form if compounds else None, "mine": mine,
                                                       "waiting": waiting, "page": page}, status=status)


# ---------------------------------------------------------------- 提交联席会 (the request page's button)


@login_required
@require_POST
def from_request(request, pk):
    req = get_object_or_404(Request.objects.visible_to(request.user).select_related("place", "category"), pk=pk)
    meeting = actions.meeting_for_request(req, request.user)
    if meeting is None:
        raise PermissionDenied
    form = FromRequestForm(request.POST)
    kind = form.cleaned_data["kind"] if form.is_valid() else "urgent"
    try:
        actions.topic_from_request(req, by=request.user, kind=kind, meeting=meeting)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("workorders:detail", req.pk)
    messages.success(request, _("已提交%(m)s（%(d)s）议程") % {"m": meeting.title, "d": timezone.localtime(
        meeting.starts_at).strftime("%Y-%m-%d")})
    return redirect("meetings:detail", meeting.pk)


@login_required
@require_POST
def flag_request(request, pk):
    """建议上会: a grid worker's or building head's suggestion, waiting with the residents' proposals."""
    req = get_object_or_404(Request.objects.visible_to(request.user).select_related("place", "category"), pk=pk)
    if not request.user.has_perm("meetings.flag_request", req):
        raise PermissionDenied
    form = FlagRequestForm(request.POST)
    if form.is_valid():
        try:
            actions.flag_request(req, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已建议提交联席会，社区审议后会告诉您结果"))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("workorders:detail", req.pk)


def request_panel(request, req):
    """The request page's 提交联席会 box: shown to the meeting's organisers for an overdue, escalated or reopened
    request (``actions.meeting_for_request``: the same answer the POST checks); to the grid worker or building
    head over it, 建议上会 for any open request (``actions.may_flag``)."""
    meeting = actions.meeting_for_request(req, request.user)
    if meeting is not None:
        return {"req": req, "meeting": meeting, "form": FromRequestForm()}
    if actions.may_flag(req, request.user):
        return {"req": req, "flag": True, "form": FlagRequestForm()}
    return None

