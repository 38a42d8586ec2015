from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import crypto
from gongzhi.core.forms import run_form
from gongzhi.core.roles import STAFF_ROLES
from gongzhi.core.scope import user_roles
from gongzhi.places.models import Kind, Place

from . import actions
from .forms import ApiTokenForm, OrganisationForm, PersonForm, PositionForm
from .models import ApiToken, Organisation, OrgKind, Person, Position
from .roles import Title


def _staff_required(user):
    if not (user.is_superuser or user_roles(user) & STAFF_ROLES):
        raise PermissionDenied


@login_required
def person_list(request):
    _staff_required(request.user)
    qs = Person.objects.visible_to(request.user).select_related("place")
    q = request.GET.get("q", "").strip()
    if q:
        cond = Q(name__icontains=q) | Q(phone__endswith=q) if q.isdigit() else Q(name__icontains=q)
        if len(q) == 18:
            cond |= Q(id_number_index=crypto.blind_index(q))
        qs = qs.filter(cond)
    if request.GET.get("party") == "1":
        qs = qs.filter(is_party_member=True)
    title = request.GET.get("title", "")
    if title:
        qs = qs.filter(pk__in=Position.objects.active().filter(title=title).values("person_id"))
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "people/person_list.html", {"page": page, "q": q, "titles": Title.choices,
                                                       "filters": request.GET})


@login_required
def person_detail(request, pk):
    person = get_object_or_404(Person.objects.visible_to(request.user).select_related("place", "party_organisation"),
                               pk=pk)
    positions = person.positions.select_related("organisation", "place").order_by("-end_date", "start_date")
    homes = person.homes.select_related("place")
    return render(request, "people/person_detail.html", {
        "person": person, "positions": positions, "homes": homes,
        "active_count": sum(1 for p in positions if p.is_active()),
        "can_reveal": request.user.has_perm("core.reveal_pii", person),
        "can_edit": request.user.has_perm("people.update_person", person),
    })


@require_POST
@login_required
def person_reveal(request, pk, field):
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
    try:
        value = actions.reveal_pii(person, field=field, by=request.user)
    except ValidationError:
        return HttpResponse(_("无效字段"), status=400)
    return HttpResponse(format_html('<span class="font-monospace">{}</span>', value or "—"))


@login_required
def person_create(request, place_pk):
    place = get_object_or_404(Place.objects.visible_to(request.user), pk=place_pk)
    if not request.user.has_perm("people.create_person", place):
        raise PermissionDenied
    form = PersonForm(request.POST or None)
    person = run_form(request, form, lambda d: actions.create_person(by=request.user, place=place, **d),
                      lambda p: _("已登记：%(name)s") % {"name": p.name})
    if person:
        return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "place": place, "title": _("登记人员")})


@login_required
def person_edit(request, pk):
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
    if not request.user.has_perm("people.update_person", person):
        raise PermissionDenied
    initial = {"name": person.name, "phone": person.phone, "is_party_member": person.is_party_member,
               "party_relation": person.party_relation, "skills": person.skills}
    form = PersonForm(request.POST or None, initial=initial)
    form.fields["id_number"].help_text = _("留空则不修改（当前 %(m)s）") % {"m": person.id_number_masked or "—"}
    if run_form(request, form, lambda d: actions.update_person(person, by=request.user, **d), _("已保存")):
        return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": person, "title": _("修改人员")})


@login_required
def organisation_list(request):
    _staff_required(request.user)
    qs = Organisation.objects.visible_to(request.user).select_related("place", "alliance")
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(uscc=q.upper()))
    if kind:
        qs = qs.filter(kind=kind)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "people/organisation_list.html", {"page": page, "q": q, "kinds": OrgKind.choices,
                                                             "filters": request.GET})


@login_required
def organisation_detail(request, pk):
    org = get_object_or_404(Organisation.objects.visible_to(request.user).select_related("place", "parent"), pk=pk)
    positions = org.positions.active().select_related("person", "place")
    return render(request, "people/organisation_detail.html", {
        "org": org, "positions": positions, "children": org.children.all(),
        "members": org.alliance_members.all() if org.kind == OrgKind.ALLIANCE else [],
        "assignments": org.assignments.select_related("place") if org.kind == OrgKind.PROPERTY_COMPANY else [],
        "party_members": org.party_members.count() if org.is_party else None,
        "can_manage_duty": request.user.has_perm("workorders.add_duty", org),
    })


@login_required
def organisation_create(request, place_pk):
    place = get_object_or_404(Place.objects.visible_to(request.user), pk=place_pk)
    if not request.user.has_perm("people.create_organisation", place):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None)
    org = run_form(request, form, lambda d: actions.create_organisation(by=request.user, place=place, **d),
                   lambda o: _("已新建：%(name)s") % {"name": o.name})
    if org:
        return redirect("people:organisation", pk=org.pk)
    return render(request, "people/person_form.html", {"form": form, "place": place, "title": _("新建组织")})


@login_required
def position_create(request, pk):
    """任职 — appoint a person to a post (another post of the same person is a cross-appointment)."""
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
    if not request.user.has_perm("people.update_person", person):
        raise PermissionDenied
    places = Place.objects.visible_to(request.user).exclude(kind__in=[Kind.UNIT, Kind.HOUSEHOLD])
    form = PositionForm(request.POST or None, organisations=Organisation.objects.visible_to(request.user),
                        places=places)
    if run_form(request, form, lambda d: actions.appoint_position(
            person, organisation=d["organisation"], title=d["title"], place=d["place"], by=request.user,
            start_date=d["start_date"], end_date=d["end_date"]), _("已任职")):
        return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": person, "title": _("任职")})


@require_POST
@login_required
def position_end(request, pk):
    position = get_object_or_404(Position.objects.visible_to(request.user), pk=pk)
    actions.end_position(position, by=request.user)
    messages.success(request, _("已离任"))
    return redirect("people:detail", pk=position.person_id)


# ---------------------------------------------------------------- API 令牌 (one's own)


@login_required
def api_tokens(request):
    """API 令牌 — staff issue named tokens for their integrations; the key is shown once, in this response only
    (never put in a message or the session), and the list shows name, prefix and use."""
    user = request.user
    can_issue = user.has_perm("people.issue_api_token", user)
    tokens = ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")
    if not can_issue and not tokens.exists():  # residents and volunteers: none to manage
        raise PermissionDenied
    form = ApiTokenForm(request.POST or None)
    issued = None
    if request.method == "POST":
        if not can_issue:
            raise PermissionDenied
        result = run_form(request, form, lambda d: actions.issue_api_token(user, name=d["name"], by=user),
                          lambda r: _("已签发令牌“%(name)s”") % {"name": r[0].name})
        if result:
            issued = {"token": result[0], "key": result[1]}
            form = ApiTokenForm()
    response = render(request, "people/api_tokens.html", {
        "tokens": tokens, "form": form, "issued": issued, "can_issue": can_issue,
    }, status=400 if form.errors else 200)
    if issued:
        response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def api_token_revoke(request, pk):
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    actions.revoke_api_token(token, by=request.user)
    messages.success(request, _("已吊销令牌“%(name)s”") % {"name": token.name})
    return redirect("api_tokens")
