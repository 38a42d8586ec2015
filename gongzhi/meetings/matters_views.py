"""Pages of 支部先议 matters and 民主听证 hearings: the list with its filters, the whole trail of a matter on one
page, a hearing's page (group, bids, poll, decision), and the forms that call the actions. Every read starts from
``visible_to`` (out of scope is 404); every form a page shows is one the user's role may submit now
(``allowed_moves``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.assembly.models import Vote, VoteKind, VoteStatus
from gongzhi.core.forms import apply_errors
from gongzhi.core.models import Event
from gongzhi.core.pagination import get_page
from gongzhi.core.params import QueryParams
from gongzhi.core.registry import registry
from gongzhi.people.models import HouseholdMember, Person
from gongzhi.places.models import Kind, Place

from . import matters_actions as actions
from .matters_forms import (
    BidForm,
    DecideForm,
    ExecuteForm,
    HearingForm,
    LinkVoteForm,
    MatterFilterForm,
    MatterForm,
    OpinionForm,
    ResolveForm,
    ReviewForm,
)
from .matters_queries import hearing_list, matter_list, waiting_q
from .models.matter import STEPS, Bid, Hearing, HearingStatus, Matter, MatterStatus

MATTER_MOVES = ("revise", "approve", "return", "resolve", "execute", "link_vote")
HEARING_MOVES = ("add_member", "submit_bid", "open_bids", "submit_opinion", "link_vote", "decide")


def _matter(request, pk) -> Matter:
    return get_object_or_404(Matter.objects.visible_to(request.user).select_related(
        "compound", "committee", "branch", "company", "owners_vote", "request"), pk=pk)


def _hearing(request, pk) -> Hearing:
    return get_object_or_404(Hearing.objects.visible_to(request.user).select_related(
        "compound", "matter", "owners_vote", "decided_bid"), pk=pk)


def _compounds_for(user, perm: str) -> list[Place]:
    return [c for c in Place.objects.visible_to(user).filter(kind=Kind.COMPOUND).order_by("path")
            if user.has_perm(perm, c)]


# ---------------------------------------------------------------- the list


@login_required
def matter_index(request):
    """支部先议与民主听证: both lists, filtered by type, compound and status (``?todo=1``: waiting for me)."""
    user = request.user
    params = QueryParams(request.GET)
    what = request.GET.get("what", "")
    compounds = list(Place.objects.filter(
        pk__in=Matter.objects.visible_to(user).values("compound_id")).order_by("path")) + list(
        Place.objects.filter(pk__in=Hearing.objects.visible_to(user).values("compound_id")).order_by("path"))
    compounds = list({c.pk: c for c in compounds}.values())
    statuses = [(f"m:{v}", f"{_('支部先议')} · {label}") for v, label in MatterStatus.choices] + [
        (f"h:{v}", f"{_('民主听证')} · {label}") for v, label in HearingStatus.choices]
    form = MatterFilterForm(request.GET or None, compounds=compounds, statuses=statuses)
    compound_id = params.int("compound", _("小区"), low=1)
    status = request.GET.get("status", "")
    todo = request.GET.get("todo") == "1"
    matters = hearings = None
    if what in ("", "matters"):
        qs = matter_list(user, compound_id=compound_id, status=status[2:] if status.startswith("m:") else
                         ("-" if status.startswith("h:") else ""), waiting=todo)
        matters = get_page(qs, request.GET.get("page"), 20)
    if what in ("", "hearings") and not todo:
        qs = hearing_list(user, compound_id=compound_id, status=status[2:] if status.startswith("h:") else
                          ("-" if status.startswith("m:") else ""))
        hearings = get_page(qs, request.GET.get("hpage"), 20)
    return render(request, "meetings/matters/list.html", {
        "form": form, "matters": matters, "hearings": hearings, "todo": todo, "ignored": params.ignored,
        "page": matters,  # the 工作台's 待办 counts what this page lists
        "can_propose": bool(actions.proposable_compounds(user)),
        "can_hold_hearing": bool(_compounds_for(user, "meetings.create_hearing"))})


# ---------------------------------------------------------------- 支部先议


@login_required
def matter_new(request):
    """第一步 业委会提议 — only for the compounds whose committee the user sits on."""
    user = request.user
    compounds = actions.proposable_compounds(user)
    if not compounds:
        raise PermissionDenied
    form = MatterForm(request.POST or None, compounds=compounds)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        compound = next((c for c in compounds if str(c.pk) == d["compound"]), None)
        try:
            matter = actions.propose_matter(compound, by=user, title=d["title"], description=d["description"],
                                            kind=d["kind"], estimated_cost=d["estimated_cost"],
                                            needs_owners_vote=d["needs_owners_vote"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已提议，等待党支部审议"))
            return redirect("meetings:matter_detail", pk=matter.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "meetings/matters/form.html", {"form": form, "title": _("业委会提议")}, status=status)


def trail(obj) -> list[Event]:
    """The audit Events of a matter or hearing, oldest first, with the actor's name (the one-page trail)."""
    ct = ContentType.objects.get_for_model(obj)
    events = list(Event.objects.filter(target_type=ct, target_id=str(obj.pk)).select_related("actor")
                  .order_by("at", "pk"))
    names = registry.names_of({e.actor_id for e in events if e.actor_id})
    for e in events:
        e.actor_name = names.get(e.actor_id, "") if e.actor_id else _("系统")  # type: ignore[attr-defined]
    return events


def _vote_choices(compound: Place) -> list[Vote]:
    return list(Vote.objects.filter(compound=compound, kind=VoteKind.QUESTION).exclude(
        status=VoteStatus.CANCELLED).order_by("-opens_at")[:50])


def _matter_forms(request, matter: Matter, moves, bound=None) -> dict:
    bound = bound or {}
    forms = {}
    if "revise" in moves:
        forms["revise"] = bound.get("revise") or MatterForm(revise=True, initial={
            "title": matter.title, "description": matter.description, "kind": matter.kind,
            "estimated_cost": matter.estimated_cost or "", "needs_owners_vote": matter.needs_owners_vote})
    if "approve" in moves or "return" in moves:
        forms["review"] = bound.get("review") or ReviewForm()
    if "resolve" in moves:
        forms["resolve"] = bound.get("resolve") or ResolveForm(members=actions.sitting_members(matter.committee_id))
    if "execute" in moves:
        forms["execute"] = bound.get("execute") or ExecuteForm(categories=_categories())
    if "link_vote" in moves:
        forms["link_vote"] = bound.get("link_vote") or LinkVoteForm(votes=_vote_choices(matter.compound))
    return forms


def _categories():
    from gongzhi.workorders.models import Category

    default = actions.execution_category()
    rows = list(Category.objects.filter(active=True, handler_kind="property_company").order_by("sort", "pk"))
    return sorted(rows, key=lambda c: c.pk != (default.pk if default else None))


def step_states(matter: Matter) -> list[dict]:
    """The four steps as the trail shows them: done, current (waiting for its body), returned or failed, to do."""
    st = MatterStatus(matter.status)
    states: list[str] = [
        "current" if st == MatterStatus.RETURNED else "done",
        {MatterStatus.PROPOSED: "current", MatterStatus.RETURNED: "returned"}.get(st, "done"),
        {MatterStatus.APPROVED: "current", MatterStatus.NOT_PASSED: "failed", MatterStatus.RESOLVED: "done",
         MatterStatus.EXECUTING: "done"}.get(st, "todo"),
        "done" if matter.is_executed else ("current" if st in (MatterStatus.RESOLVED, MatterStatus.EXECUTING)
                                           else "todo"),
    ]
    return [{"key": key, "label": label, "n": i + 1, "state": states[i]} for i, (key, label) in enumerate(STEPS)]


@login_required
def matter_detail(request, pk, bound=None, status=200):
    """The whole trail of a matter on one page: the four steps, every review and vote, the work order."""
    matter = _matter(request, pk)
    moves = actions.allowed_moves(matter, request.user)
    names = {p.pk: p.name for p in Person.objects.filter(pk__in=matter.ballots.values("person_id"))}
    ballots = [(names.get(b.person_id, ""), b.get_choice_display()) for b in matter.ballots.all()]
    reviews = list(matter.reviews.all())
    steps = step_states(matter)
    return render(request, "meetings/matters/detail.html", {
        "matter": matter, "moves": moves, "forms": _matter_forms(request, matter, moves, bound),
        "refusals": actions.refusals(matter, request.user), "ballots": ballots, "reviews": reviews,
        "events": trail(matter), "steps": steps, "hearings": matter.hearings.all(),
        "can_new_vote": request.user.has_perm("assembly.create_vote", matter.compound),
        "can_hearing": request.user.has_perm("meetings.create_hearing", matter.compound)}, status=status)


@require_POST
@login_required
def matter_move(request, pk, move):
    """One step of the matter (the move's form on the detail page)."""
    if move not in MATTER_MOVES:
        raise Http404
    matter = _matter(request, pk)
    user = request.user
    try:  # another body's step is refused before any input is read; a stale page is told why
        actions.precheck(move, matter, user)
    except actions.StateConflict as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("meetings:matter_detail", pk=pk)
    form_key = "review" if move in ("approve", "return") else move
    try:
        if move == "revise":
            form = MatterForm(request.POST, revise=True)
            if form.is_valid():
                d = form.cleaned_data
                actions.revise_matter(matter, by=user, title=d["title"], description=d["description"], kind=d["kind"],
                                      estimated_cost=d["estimated_cost"], needs_owners_vote=d["needs_owners_vote"])
        elif move in ("approve", "return"):
            form = ReviewForm(request.POST)
            if form.is_valid():
                verb = actions.approve_matter if move == "approve" else actions.return_matter
                verb(matter, by=user, opinion=form.cleaned_data["opinion"])
        elif move == "resolve":
            form = ResolveForm(request.POST, members=actions.sitting_members(matter.committee_id))
            if form.is_valid():
                actions.resolve_matter(matter, by=user, ballots=form.ballots(), note=form.cleaned_data["note"])
        elif move == "execute":
            categories = _categories()
            form = ExecuteForm(request.POST, categories=categories)
            if form.is_valid():
                category = next((c for c in categories if str(c.pk) == form.cleaned_data["category"]), None)
                actions.execute_matter(matter, by=user, category=category, note=form.cleaned_data["note"])
        else:
            votes = _vote_choices(matter.compound)
            form = LinkVoteForm(request.POST, votes=votes)
            if form.is_valid():
                vote = next((v for v in votes if str(v.pk) == form.cleaned_data["owners_vote"]), None)
                actions.link_matter_vote(matter, vote=vote, by=user)
    except ValidationError as exc:
        apply_errors(form, exc)
    if not form.is_valid():
        if move == "link_vote" or move in actions.allowed_moves(matter, user):
            return matter_detail(request, pk, bound={form_key: form}, status=422)
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("meetings:matter_detail", pk=pk)
    messages.success(request, _("已记录：%(m)s") % {"m": actions.MOVE_LABELS[move]})
    return redirect("meetings:matter_detail", pk=pk)


# ---------------------------------------------------------------- 民主听证


@login_required
def hearing_new(request):
    user = request.user
    compounds = _compounds_for(user, "meetings.create_hearing")
    if not compounds:
        raise PermissionDenied
    matters = list(Matter.objects.visible_to(user).filter(compound__in=compounds).select_related("compound")
                   .exclude(status=MatterStatus.NOT_PASSED)[:200])
    initial = {"matter": request.GET.get("matter", "")}
    form = HearingForm(request.POST or None, compounds=compounds, matters=matters, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        compound = next((c for c in compounds if str(c.pk) == d["compound"]), None)
        matter = next((m for m in matters if str(m.pk) == d["matter"]), None)
        try:
            hearing = actions.create_hearing(compound, by=user, subject=d["subject"], held_at=d["held_at"],
                                             venue=d["venue"], description=d["description"], matter=matter,
                                             needs_owners_vote=d["needs_owners_vote"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已发起民主听证"))
            return redirect("meetings:hearing_detail", pk=hearing.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "meetings/matters/form.html", {"form": form, "title": _("发起民主听证")}, status=status)


def _people_for(hearing: Hearing, user) -> list[Person]:
    """Whom an organiser may add: people of the compound (owners, committee, party members) and post holders
    over it (experts and the company's people hold posts or are entered first in 人员)."""
    return list(Person.objects.visible_to(user).exclude(
        pk__in=hearing.members.values("person_id")).order_by("name", "pk")[:500])


def _households_for(hearing: Hearing, user, moves) -> list[tuple[int, str]]:
    if "submit_opinion" not in moves:
        return []
    answered = hearing.opinions.values("household_id")
    organiser = user.has_perm("meetings.add_hearing_member", hearing)
    if organiser:
        homes = Place.objects.filter(kind=Kind.HOUSEHOLD, path__startswith=hearing.compound.path)
    else:
        homes = Place.objects.filter(kind=Kind.HOUSEHOLD, path__startswith=hearing.compound.path,
                                     pk__in=HouseholdMember.objects.current().filter(person__user=user)
                                     .values("place_id"))
    homes = homes.exclude(pk__in=answered).order_by("path")[:1000]
    from gongzhi.places.labels import attach_labels, label_for

    rows = list(homes)
    attach_labels(rows)
    return [(h.pk, label_for(h, user)) for h in rows]


def _hearing_forms(request, hearing: Hearing, moves, bound=None) -> dict:
    bound = bound or {}
    from .matters_forms import MemberForm

    forms = {}
    if "add_member" in moves:
        forms["add_member"] = bound.get("add_member") or MemberForm(people=_people_for(hearing, request.user))
    if "submit_bid" in moves:
        forms["submit_bid"] = bound.get("submit_bid") or BidForm()
    if "submit_opinion" in moves:
        forms["submit_opinion"] = bound.get("submit_opinion") or OpinionForm(
            households=_households_for(hearing, request.user, moves))
    if "link_vote" in moves:
        forms["link_vote"] = bound.get("link_vote") or LinkVoteForm(votes=_vote_choices(hearing.compound))
    if "decide" in moves:
        forms["decide"] = bound.get("decide") or DecideForm(bids=hearing.bids.all())
    return forms


@login_required
def hearing_detail(request, pk, bound=None, status=200):
    hearing = _hearing(request, pk)
    user = request.user
    moves = actions.allowed_hearing_moves(hearing, user)
    organiser = user.has_perm("meetings.add_hearing_member", hearing)
    members = list(hearing.members.select_related("person"))
    bids = list(hearing.bids.all())
    mine = []
    if not organiser:
        mine = list(hearing.opinions.filter(household__in=HouseholdMember.objects.current().filter(
            person__user=user).values("place_id")).select_related("household"))
    return render(request, "meetings/matters/hearing.html", {
        "hearing": hearing, "moves": moves, "forms": _hearing_forms(request, hearing, moves, bound),
        "refusals": actions.hearing_refusals(hearing, user), "members": members, "bids": bids,
        "opened": hearing.bids_opened_at is not None, "poll": actions.poll_result(hearing), "mine": mine,
        "organiser": organiser, "events": trail(hearing) if organiser else [],
        "can_new_vote": user.has_perm("assembly.create_vote", hearing.compound)}, status=status)


@require_POST
@login_required
def hearing_move(request, pk, move):
    if move not in HEARING_MOVES:
        raise Http404
    hearing = _hearing(request, pk)
    user = request.user
    try:  # not an organiser (or not an owner here): refused before any input is read
        actions.hearing_precheck(move, hearing, user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("meetings:hearing_detail", pk=pk)
    form = None
    try:
        if move == "add_member":
            from .matters_forms import MemberForm

            people = _people_for(hearing, user)
            form = MemberForm(request.POST, people=people)
            if form.is_valid():
                person = next((p for p in people if str(p.pk) == form.cleaned_data["person"]), None)
                actions.add_hearing_member(hearing, person=person, group=form.cleaned_data["group"], by=user)
        elif move == "submit_bid":
            form = BidForm(request.POST, request.FILES)
            if form.is_valid():
                d = form.cleaned_data
                actions.submit_bid(hearing, supplier=d["supplier"], price=d["price"], terms=d["terms"],
                                   attachment=d["attachment"], by=user)
        elif move == "open_bids":
            actions.open_bids(hearing, by=user)
        elif move == "submit_opinion":
            moves = actions.allowed_hearing_moves(hearing, user)
            households = _households_for(hearing, user, moves | {"submit_opinion"})
            form = OpinionForm(request.POST, households=households)
            if form.is_valid():
                household = Place.objects.filter(pk=form.cleaned_data["household"], kind=Kind.HOUSEHOLD).first()
                actions.submit_opinion(hearing, household=household, choice=form.cleaned_data["choice"], by=user)
        elif move == "link_vote":
            votes = _vote_choices(hearing.compound)
            form = LinkVoteForm(request.POST, votes=votes)
            if form.is_valid():
                vote = next((v for v in votes if str(v.pk) == form.cleaned_data["owners_vote"]), None)
                actions.link_hearing_vote(hearing, vote=vote, by=user)
        else:
            bids = list(hearing.bids.all())
            form = DecideForm(request.POST, bids=bids)
            if form.is_valid():
                bid = next((b for b in bids if str(b.pk) == form.cleaned_data["bid"]), None)
                actions.decide_hearing(hearing, bid=bid, decision=form.cleaned_data["decision"],
                                       record=form.cleaned_data["record"], by=user)
    except ValidationError as exc:
        if form is None:
            messages.error(request, "；".join(exc.messages))
            return redirect("meetings:hearing_detail", pk=pk)
        apply_errors(form, exc)
    if form is not None and not form.is_valid():
        if move in actions.allowed_hearing_moves(hearing, user):
            return hearing_detail(request, pk, bound={move: form}, status=422)
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("meetings:hearing_detail", pk=pk)
    labels = {"add_member": _("已加入听证小组"), "submit_bid": _("已登记报价"), "open_bids": _("已开标"),
              "submit_opinion": _("意见已提交"), "link_vote": _("已关联业主大会表决"), "decide": _("已形成听证决定")}
    messages.success(request, labels[move])
    return redirect("meetings:hearing_detail", pk=pk)


@login_required
def hearing_bid_file(request, pk):
    """A bid's attachment: for those who see the hearing, once the bids are opened (organisers at any time)."""
    bid = get_object_or_404(Bid.objects.select_related("hearing"), pk=pk,
                            hearing__in=Hearing.objects.visible_to(request.user))
    organiser = request.user.has_perm("meetings.add_hearing_member", bid.hearing)
    if not bid.attachment or not (organiser or bid.hearing.bids_opened_at is not None):
        raise Http404
    return FileResponse(bid.attachment.open("rb"), as_attachment=True,
                        filename=f"{bid.supplier}{bid.attachment.name[bid.attachment.name.rfind('.'):]}")


def hearing_link(pk) -> str:
    return reverse("meetings:hearing_detail", args=[pk])


__all__ = ["waiting_q"]
