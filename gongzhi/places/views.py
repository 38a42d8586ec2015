from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.exports import record_export
from gongzhi.core.forms import apply_errors, run_form
from gongzhi.core.registry import registry
from gongzhi.core.roles import MANAGING_ROLES, STAFF_ROLES
from gongzhi.core.scope import covers, in_scopes, user_roles

from . import actions, imports
from .divisions import DivisionSourceError, bundled_divisions, find_source, load_divisions, read_divisions
from .forms import DivisionsForm, ImportForm, MoveForm, PlaceEditForm, PlaceForm
from .geo import boundary_summary
from .models import PARENT_KINDS, RUNNING_IMPORTS, ImportJob, ImportKind, Kind, Place
from .queries import counts_by_child, counts_of, household_page, scope_roots

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _staff_required(user):
    if not (user.is_superuser or user_roles(user) & STAFF_ROLES):
        raise PermissionDenied


def _visible_place(request, pk) -> Place:
    _staff_required(request.user)
    return get_object_or_404(Place.objects.visible_to(request.user), pk=pk)


def _can_manage(user, place: Place) -> bool:
    return user.is_superuser or covers(user, place.path, MANAGING_ROLES)


@login_required
def tree(request):
    _staff_required(request.user)
    roots = scope_roots(request.user)
    if len(roots) == 1:
        return redirect("places:detail", pk=roots[0].pk)
    return render(request, "places/tree.html", {"roots": roots, "counts": {r.pk: counts_of(r) for r in roots}})


@login_required
def detail(request, pk):
    place = _visible_place(request, pk)
    children = list(place.children.order_by("path"))
    q = request.GET.get("q", "").strip()
    if q:
        children = [c for c in children if q in c.name or q in c.code]
    page = Paginator(children, 50).get_page(request.GET.get("page"))
    counts = counts_by_child(place, list(page.object_list))
    ancestors = [a for a in place.ancestors() if covers(request.user, a.path, STAFF_ROLES) or request.user.is_superuser]
    panels = [(p.template, ctx) for p in registry.place_panels
              if (ctx := p.context(request, place)) is not None]  # e.g. a household's members (people)
    return render(request, "places/detail.html", {
        "place": place, "page": page, "rows": [(c, counts[c.pk]) for c in page.object_list],
        "counts": counts_of(place), "ancestors": ancestors, "can_manage": _can_manage(request.user, place),
        "child_kinds": [Kind(k) for k in place.allowed_child_kinds()], "panels": panels, "q": q,
        "figures": registry.subtree_figures, "boundary": boundary_summary(place.boundary),
    })


@login_required
def create(request, pk):
    parent = _visible_place(request, pk)
    if not _can_manage(request.user, parent):
        raise PermissionDenied
    kinds = parent.allowed_child_kinds()
    if not kinds:
        raise Http404
    form = PlaceForm(request.POST or None, kinds=kinds, initial={"kind": request.GET.get("kind")})
    if run_form(request, form, lambda d: actions.create_place(parent=parent, kind=d.pop("kind"), by=request.user, **d),
                lambda place: _("已新建：%(name)s") % {"name": place.name}):
        return redirect("places:detail", pk=parent.pk)
    return render(request, "places/form.html", {"form": form, "parent": parent, "title": _("新建下级区域")})


@login_required
def edit(request, pk):
    place = _visible_place(request, pk)
    if not _can_manage(request.user, place):
        raise PermissionDenied
    initial = {k: getattr(place, k) for k in ("name", "code", "management_mode", "registered_area", "surveyed_area",
                                              "contract_area", "address", "developer_held", "latitude", "longitude",
                                              "boundary")}
    form = PlaceEditForm(request.POST or None, initial=initial, place_kind=place.kind)
    if run_form(request, form, lambda d: actions.update_place(place, by=request.user, **d), _("已保存")):
        return redirect("places:detail", pk=place.pk)
    return render(request, "places/form.html", {"form": form, "place": place, "title": _("修改区域")})


@login_required
def move(request, pk):
    place = _visible_place(request, pk)
    if not _can_manage(request.user, place):
        raise PermissionDenied
    allowed_parent_kinds = [k for k in PARENT_KINDS[place.kind] if k]
    candidates = (Place.objects.visible_to(request.user).filter(kind__in=allowed_parent_kinds)
                  .exclude(path__startswith=place.path).exclude(pk=place.parent_id))
    if not request.user.is_superuser:
        candidates = candidates.filter(in_scopes(request.user, "", MANAGING_ROLES))
    form = MoveForm(request.POST or None, queryset=candidates[:500] if request.method == "GET" else candidates)
    if run_form(request, form, lambda d: actions.move_place(place, new_parent=d["new_parent"], by=request.user),
                _("已移动")):
        return redirect("places:detail", pk=place.pk)
    return render(request, "places/form.html", {"form": form, "place": place, "title": _("移动区域")})


@login_required
def households(request):
    """Scoped household list with search and pagination (a grid worker's list)."""
    _staff_required(request.user)
    q = request.GET.get("q", "").strip()
    page = household_page(request.user, request.GET.get("page"), q=q)  # the page and the total in one query
    return render(request, "places/households.html", {"page": page, "q": q})


# ---------------------------------------------------------------- import / export


def _import_root(request) -> Place:
    pk = request.POST.get("place") or request.GET.get("place")
    if pk:
        if not pk.isascii() or not pk.isdigit():
            raise Http404  # not an id: no such place
        place = get_object_or_404(Place.objects.visible_to(request.user), pk=pk)
    else:
        roots = [r for r in scope_roots(request.user) if _can_manage(request.user, r)]
        if not roots:
            raise PermissionDenied
        place = roots[0]
    if not _can_manage(request.user, place):
        raise PermissionDenied
    return place


@login_required
def import_upload(request):
    _staff_required(request.user)
    place = _import_root(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.create_import(kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"],
                                        place=place, by=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("places:import_job", pk=job.pk)
    jobs = ImportJob.objects.visible_to(request.user)
    running = request.GET.get("running") == "1"
    if running:  # the 工作台's 进行中的导入: every one of them
        jobs = jobs.filter(status__in=RUNNING_IMPORTS)
    return render(request, "places/import.html", {"form": form, "place": place, "jobs": jobs[:100 if running else 10],
                                                  "running": running})


@login_required
def import_job(request, pk):
    job = get_object_or_404(ImportJob.objects.visible_to(request.user).select_related("place"), pk=pk)
    template = "places/_import_progress.html" if request.htmx else "places/import_job.html"
    return render(request, template, {"job": job})


@login_required
def import_template(request, kind):
    _staff_required(request.user)
    if kind not in imports.IMPORTERS:
        raise Http404
    name = _("%(kind)s导入模板") % {"kind": ImportKind(kind).label} + ".xlsx"
    return _xlsx(imports.template_xlsx(kind), name)


@login_required
def export(request, pk, kind):
    place = _visible_place(request, pk)
    importer = imports.IMPORTERS.get(kind)
    if importer is None or importer.export is None:
        raise Http404
    data, count = importer.export(request.user, place)
    # a bulk export of personal data is itself on the record: who, which subtree, how many rows
    record_export(request.user, importer.export_verb, summary=f"{place.name} · {ImportKind(kind).label}",
                  filters={"place": place.pk}, rows=count, truncated=False)
    stamp = timezone.localtime().strftime("%Y%m%d")
    return _xlsx(data, f"{place.name}-{ImportKind(kind).label}-{stamp}.xlsx")


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response



@login_required
def divisions(request):
    """Superusers load a district's real streets and communities (行政区划) into the tree."""
    if not request.user.is_superuser:
        raise PermissionDenied
    form = DivisionsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        area = form.cleaned_data["area"]
        try:
            rows = bundled_divisions(area) or read_divisions(find_source(), area)
        except DivisionSourceError as exc:
            form.add_error("area", str(exc))
        else:
            created, updated = load_divisions(rows, by=request.user)
            messages.success(request, _("%(name)s：新增 %(c)s 个区域，更名 %(u)s 个") % {
                "name": rows[0].name, "c": created, "u": updated})
            return redirect("places:detail", pk=Place.objects.get(code=area).pk)
    districts = Place.objects.filter(kind=Kind.DISTRICT)
    return render(request, "places/divisions.html", {"form": form, "districts": districts})
