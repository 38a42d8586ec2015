from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.core import crypto
from gongzhi.core.forms import run_form
from gongzhi.core.roles import STAFF_ROLES
from gongzhi.core.scope import user_roles
from gongzhi.places.models import Kind, Place

from . import accounts, actions
from .forms import (
    AccountForm,
    ActivateForm,
    ApiTokenForm,
    HomeForm,
    HouseholdMemberForm,
    MemberFieldsForm,
    OrganisationForm,
    PasswordResetConfirmForm,
    PasswordResetRequestForm,
    PersonForm,
    PositionForm,
)
from .models import ApiToken, HouseholdMember, Organisation, OrgKind, Person, Position
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
    homes = list(person.homes.select_related("place").order_by("end_date", "place__path"))
    return render(request, "people/person_detail.html", {
        "person": person, "positions": positions, "homes": homes,
        "active_count": sum(1 for p in positions if p.is_active()),
        "can_reveal": request.user.has_perm("core.reveal_pii", person),
        "can_edit": request.user.has_perm("people.update_person", person),
        "can_manage_account": request.user.has_perm("people.manage_account", person),
        "account": person.user, "can_manage_homes": request.user.has_perm("people.update_person", person)
        and any(request.user.has_perm("people.update_household_member", h.place) for h in homes),
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
        result = run_form(request, form, lambda d: actions.issue_api_token(user, name=d["name"], scope=d["scope"], days=d["days"],
                                                                     by=user),
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


# ---------------------------------------------------------------- household members (户成员)


def _managed_household(request, place_pk, perm="people.add_household_member"):
    household = get_object_or_404(Place.objects.visible_to(request.user), pk=place_pk, kind=Kind.HOUSEHOLD)
    if not request.user.has_perm(perm, household):
        raise PermissionDenied
    return household


@login_required
def member_add(request, place_pk):
    """户成员 → 添加: a person (found by ID number, or registered here) joins the household."""
    household = _managed_household(request, place_pk)
    form = HouseholdMemberForm(request.POST or None, initial={"registered_area": household.registered_area})
    if run_form(request, form, lambda _d: actions.register_household_member(
            household, by=request.user, person_fields=form.person_fields(), member_fields=form.member_fields()),
            lambda m: _("已登记户成员：%(m)s") % {"m": m}):
        return redirect("places:detail", pk=household.pk)
    return render(request, "people/person_form.html", {"form": form, "place": household, "title": _("添加户成员")},
                  status=400 if form.errors else 200)


@login_required
def home_add(request, pk):
    """登记到户 from a person's page."""
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
    if not request.user.has_perm("people.update_person", person):
        raise PermissionDenied
    form = HomeForm(request.POST or None, households=Place.objects.visible_to(request.user), user=request.user)
    if run_form(request, form, lambda d: actions.add_household_member(
            d["household"], person, by=request.user, **form.member_fields()),
            lambda m: _("已登记户成员：%(m)s") % {"m": m}):
        return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": person, "title": _("登记到户")},
                  status=400 if form.errors else 200)


def _member_for(request, pk, perm):
    member = get_object_or_404(HouseholdMember.objects.visible_to(request.user).select_related("place", "person"),
                               pk=pk)
    if not request.user.has_perm(perm, member.place):
        raise PermissionDenied
    return member


@login_required
def member_edit(request, pk):
    member = _member_for(request, pk, "people.update_household_member")
    initial = {"relation": member.relation, "share": member.share.normalize(),
               "registered_area": member.place.registered_area, "is_representative": member.is_representative}
    form = MemberFieldsForm(request.POST or None, initial=initial)
    if run_form(request, form, lambda _d: actions.update_household_member(
            member, by=request.user, **form.member_fields()), _("已保存")):
        return redirect("places:detail", pk=member.place_id)
    return render(request, "people/person_form.html", {
        "form": form, "place": member.place, "title": _("修改户成员：%(name)s") % {"name": member.person.name},
    }, status=400 if form.errors else 200)


@require_POST
@login_required
def member_end(request, pk):
    """结束户成员登记 (迁出、退租、产权转让): today, or the date given."""
    member = _member_for(request, pk, "people.end_household_member")
    raw = request.POST.get("end_date", "").strip()
    try:
        end_date = parse_date(raw) if raw else None
    except ValueError:  # well formed, but no such day (2026-13-45)
        end_date = None
    if raw and end_date is None:
        messages.error(request, _("日期格式应为 2026-01-31"))
        return redirect("places:detail", pk=member.place_id)
    try:
        actions.end_household_member(member, by=request.user, end_date=end_date)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已结束登记：%(m)s") % {"m": member})
    return redirect("places:detail", pk=member.place_id)


# ---------------------------------------------------------------- login accounts (登录账号)


def _account_person(request, pk):
    person = get_object_or_404(Person.objects.visible_to(request.user).select_related("user", "place"), pk=pk)
    if not request.user.has_perm("people.manage_account", person):
        raise PermissionDenied
    return person


@login_required
def account_create(request, pk):
    """开通登录账号: the activation code goes to the person's phone."""
    person = _account_person(request, pk)
    if person.user_id is not None:
        messages.info(request, _("该人员已有登录账号"))
        return redirect("people:detail", pk=person.pk)
    form = AccountForm(request.POST or None)
    if run_form(request, form, lambda d: accounts.create_account(person, by=request.user, username=d["username"]),
                lambda u: _("已开通账号 %(u)s，激活验证码已发送到 %(p)s") % {"u": u.get_username(),
                                                                      "p": person.phone_masked}):
        return redirect("people:detail", pk=person.pk)
    return render(request, "people/account_form.html", {"form": form, "person": person},
                  status=400 if form.errors else 200)


ACCOUNT_MOVES = {
    "reset": (accounts.reset_account, gettext_lazy("已重置账号，新的激活验证码已发送到登记的手机号")),
    "deactivate": (accounts.deactivate_account, gettext_lazy("账号已停用")),
    "reactivate": (accounts.reactivate_account, gettext_lazy("账号已启用")),
}


@require_POST
@login_required
def account_move(request, pk, move):
    """重置 / 停用 / 启用 a person's login account."""
    if move not in ACCOUNT_MOVES:
        raise Http404
    person = _account_person(request, pk)
    action, done = ACCOUNT_MOVES[move]
    try:
        action(person, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("people:detail", pk=person.pk)


def _code_page(request, form, action, done: str, **page):
    """A signed-out page whose form runs ``action`` (activation, 忘记密码): on success to the login page."""
    if run_form(request, form, action, done):
        return True
    return render(request, "registration/code_form.html", {"form": form, **page},
                  status=400 if form.errors else 200)


def activate_account(request):
    """激活账号 (signed out): the code from the phone and a new password."""
    form = ActivateForm(request.POST or None, initial={"username": request.GET.get("username", "")[:150]})
    result = _code_page(request, form, lambda d: accounts.activate_account(
        username=d["username"], code=d["code"], password=d["new_password1"]), _("账号已激活，请用新密码登录"),
        title=_("激活账号"), submit=_("激活并设置密码"),
        intro=_("请输入开通账号时发送到您手机上的6位验证码，并设置登录密码。"))
    return redirect("login") if result is True else result


def password_reset_request(request):
    """忘记密码 (signed out): a code to the registered phone. The answer is the same whether or not the phone has
    an account."""
    form = PasswordResetRequestForm(request.POST or None)
    result = _code_page(request, form, lambda d: accounts.request_password_reset(phone=d["phone"]),
                        _("如果该手机号登记了登录账号，验证码已发送，10分钟内有效。"),
                        title=_("忘记密码"), submit=_("发送验证码"),
                        intro=_("请输入登记的手机号，我们会向该手机号发送验证码。"))
    if result is True:
        return redirect(reverse("password_reset_confirm") + "?" + urlencode({"phone": form.cleaned_data["phone"]}))
    return result


def password_reset_confirm(request):
    """忘记密码 → the code and a new password."""
    form = PasswordResetConfirmForm(request.POST or None, initial={"phone": request.GET.get("phone", "")[:20]})
    result = _code_page(request, form, lambda d: accounts.reset_password(
        phone=d["phone"], code=d["code"], password=d["new_password1"]), _("密码已重设，请用新密码登录"),
        title=_("重设密码"), submit=_("重设密码"), again=True,
        intro=_("请输入收到的6位验证码和新密码。没有收到？可以重新获取验证码。"))
    return redirect("login") if result is True else result
