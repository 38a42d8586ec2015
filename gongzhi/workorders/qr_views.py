"""扫码反映问题: the phone intake page a building's QR code opens (public: signed in or not), and the staff's
楼栋二维码 page and PDF (docs/workorders.md, "Doors into requests: QR")."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from gongzhi.core.forms import apply_errors
from gongzhi.core.masking import mask_phone
from gongzhi.core.roles import MANAGING_ROLES
from gongzhi.core.scope import user_roles
from gongzhi.core.validators import clean_phone
from gongzhi.people import accounts
from gongzhi.places.labels import attach_labels, label_for
from gongzhi.places.models import Kind, Place

from . import actions, qr
from .forms import QrIntakeForm
from .models import Category, Channel

PRINTABLE_KINDS = (Kind.COMPOUND, Kind.BUILDING, Kind.UNIT)
PHONE_FIELDS = ("phone", "code")  # drawn by the page itself: 获取验证码 sits between them


class _Without:
    """The form as ``includes/form.html`` draws it, minus some fields the page places itself."""

    def __init__(self, form, names):
        self.form, self.names = form, names

    def visible_fields(self):
        return [f for f in self.form.visible_fields() if f.name not in self.names]

    def non_field_errors(self):
        return self.form.non_field_errors()

    def hidden_fields(self):
        return self.form.hidden_fields()


def qr_intake(request, token):
    """The page behind a sheet's QR code: the place filled in from the signed token (a bad or edited token is
    404). A resident who may file here files as themselves; anyone else with a phone verification code."""
    place = qr.place_for(token)
    if place is None:
        raise Http404
    user = request.user
    signed_in = user.is_authenticated and user.has_perm("workorders.file_request", place)
    categories = Category.objects.filter(active=True)
    step = request.POST.get("step", "file") if request.method == "POST" else ""
    data = request.POST if request.method == "POST" else None
    form = QrIntakeForm(data, categories=categories, by_phone=not signed_in)
    sent_to = ""
    if step == "send":  # 获取验证码: only the phone is looked at; the rest of the form is kept as typed
        form = QrIntakeForm(initial={k: request.POST.get(k, "") for k in ("category", "description", "contact_name",
                                                                          "phone")},
                            categories=categories, by_phone=True)
        try:
            accounts.send_phone_code(phone=request.POST.get("phone", ""), place=place)
        except ValidationError as exc:
            form = QrIntakeForm(request.POST, categories=categories, by_phone=True)
            form.is_valid()
            for name in [n for n in form.errors if n != "phone"]:  # only the phone was asked for yet
                del form.errors[name]
            apply_errors(form, exc)
        else:
            sent_to = mask_phone(clean_phone(request.POST.get("phone", "")))
    elif step == "file" and form.is_valid():
        d = form.cleaned_data
        category = categories.filter(code=d["category"]).first()
        try:
            if signed_in:
                req = actions.file_request(by=user, category=category, description=d["description"], place=place,
                                           channel=Channel.QR, anonymous=d["anonymous"])
            else:
                req = actions.file_request_by_phone(
                    place=place, phone=d["phone"], code=d["code"], category=category, description=d["description"],
                    contact_name=d["contact_name"], anonymous=d["anonymous"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if signed_in:
                messages.success(request, _("已提交，编号 %(n)s。处理进展会通知您。") % {"n": req.number})
                return redirect("workorders:detail", pk=req.pk)
            messages.success(request, _("已提交，编号 %(n)s。社区会尽快派单处理；用这个手机号开通账号并登录后，"
                                        "可在“我的诉求”中查看进展。") % {"n": req.number})
            return redirect("qr_intake", token=token)
    return render(request, "workorders/qr_intake.html", {
        "form": form, "main": _Without(form, PHONE_FIELDS),
        "phone_fields": [form[n] for n in PHONE_FIELDS if n in form.fields], "place_label": label_for(place), "signed_in": signed_in, "sent_to": sent_to,
        "minutes": 10}, status=400 if form.errors else 200)


def _may_print(user) -> bool:
    return user.is_superuser or bool(user_roles(user) & MANAGING_ROLES)


@login_required
def qr_sheets(request):
    """楼栋二维码: the compounds in the user's scope, each with its buildings, to print (street and community
    staff)."""
    if not _may_print(request.user):
        raise PermissionDenied
    compounds = Place.objects.visible_to(request.user).filter(kind=Kind.COMPOUND).order_by("path")
    page = Paginator(compounds, 20).get_page(request.GET.get("page"))
    rows = []
    for compound in page.object_list:
        if not request.user.has_perm("workorders.print_qr_sheets", compound):
            continue
        buildings = list(Place.objects.filter(path__startswith=compound.path, kind=Kind.BUILDING).order_by("path"))
        rows.append({"compound": compound, "buildings": buildings})
    attach_labels([r["compound"] for r in rows])
    return render(request, "workorders/qr_sheets.html", {"page": page, "rows": rows})


@login_required
def qr_pdf(request, pk):
    """The sheets of a compound (every building, one page each), a building or a unit as one PDF;
    ``?units=1`` adds a sheet for every unit."""
    place = get_object_or_404(Place.objects.visible_to(request.user).filter(kind__in=PRINTABLE_KINDS), pk=pk)
    units = request.GET.get("units") == "1"
    try:
        pdf = actions.print_qr_sheets(place, by=request.user, units=units)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("workorders:qr_sheets")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="qr-{place.pk}.pdf"'
    return response
