"""Vote pages: organisers set up, announce, record paper and proxy ballots and count; owners vote on
their phones and keep a receipt; everyone can read the 公示 page and check a receipt."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from gongzhi.core.exports import xlsx_response
from gongzhi.core.files import serve_upload
from gongzhi.core.forms import apply_errors
from gongzhi.core.pagination import get_page
from gongzhi.people.models import HouseholdMember, Person, Relation
from gongzhi.places.models import STEP, Kind, Place

from . import actions
from .forms import BallotForm, ElectionBallotForm, NominateForm, PaperForm, ProxyForm, VetForm, VoteForm
from .models import (
    Ballot,
    BallotConflict,
    Candidate,
    Channel,
    PaperEntry,
    Vetting,
    Vote,
    VoteKind,
    VoteStatus,
)
from .queries import votes_for

# A building's cells show how its units voted only when at least this many of them took part: with one
# or two, the figures would tell their neighbours how each of them voted.
MIN_SHOWN_PARTICIPANTS = 3


def shown_buildings(vote: Vote) -> list[dict]:
    """The by-building breakdown as it may be shown to anyone: a building where fewer than
    MIN_SHOWN_PARTICIPANTS units took part has its yes / no / abstain cells withheld (``hidden``)."""
    rows = (vote.result or {}).get("buildings") or []
    out = []
    for row in rows:
        participating = row["yes"] + row["no"] + row["abstain"]
        out.append({**row, "hidden": participating < MIN_SHOWN_PARTICIPANTS})
    return out


HELD_PAPER = _lazy("两次录入一致。该户已投票：这张纸质选票已作为同一业主的另一张选票记录，暂不计入，"
                   "由组织方按本表决规则处理，并已通知业主。")


def _voted(vote: Vote) -> dict[str, str]:
    """owner key -> the channel its head's recorded ballot came by (shown to clerks with each unit)."""
    return {key: str(Channel(channel).label) for key, channel in vote.ballots.values_list("owner_key", "channel")}


def owner_homes(compound: Place, owners) -> dict[int, str]:
    """person id -> the units they own in the compound, each as "2号楼 1单元 301" (the levels between the
    compound and the household), then the compound: what tells two owners of the same name apart."""
    members = list(HouseholdMember.objects.current().filter(
        relation=Relation.OWNER, place__path__startswith=compound.path, person__in=owners)
        .values_list("person_id", "place__path", "place__name").order_by("place__path"))
    levels = dict(Place.objects.filter(path__startswith=compound.path, kind__in=[Kind.BUILDING, Kind.UNIT])
                  .values_list("path", "name"))
    homes: dict[int, list[str]] = defaultdict(list)
    for person, path, name in members:
        above = [levels[path[:end]] for end in range(len(compound.path) + STEP, len(path), STEP)
                 if path[:end] in levels]
        homes[person].append(" ".join([*above, name]))
    return {person: f"{'、'.join(units)} · {compound.name}" for person, units in homes.items()}


def _vote(request, pk) -> Vote:
    return get_object_or_404(Vote.objects.visible_to(request.user).select_related("compound"), pk=pk)


def _organiser(user, vote) -> bool:
    return user.has_perm("assembly.organise_vote", vote)


@login_required
def vote_list(request):
    state = request.GET.get("state", "")
    page = get_page(votes_for(request.user, state=state), request.GET.get("page"), 20)
    can_create = actions.may_create_votes(request.user)
    return render(request, "assembly/list.html", {"votes": page.object_list, "page": page, "can_create": can_create,
                                                  "state_label": STATE_LABELS.get(state, "")})


# the list's ``?state=`` filters, named on the page when one is on (``queries.vote_state_q``)
STATE_LABELS = {"draft": _lazy("草稿待公告"), "notice": _lazy("公告期"),
                "open": _lazy("投票中"), "ended": _lazy("已截止，待计票")}


@login_required
def vote_new(request):
    """发起表决: only the compounds, kinds and options the user may create (a committee member gets no
    election kind and no 从多 switch); a refusal that still happens is a clear message, never a 403 page."""
    user = request.user
    visible = list(Place.objects.visible_to(user).filter(kind=Kind.COMPOUND))
    compounds = [c for c in visible if user.has_perm("assembly.create_vote", c)]
    if not compounds:
        raise PermissionDenied
    kinds = [VoteKind.QUESTION]
    if any(user.has_perm("assembly.vet_candidate", c) for c in compounds):
        kinds.append(VoteKind.ELECTION)
    majority_rule = any(user.has_perm("assembly.set_majority_rule", c) for c in compounds)
    form = VoteForm(request.POST or None, request.FILES or None, compounds=compounds, kinds=kinds,
                    majority_rule=majority_rule)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            vote = actions.create_vote(
                compound=next(c for c in compounds if str(c.pk) == d["compound"]), kind=d["kind"],
                matter=d["matter"], title=d["title"], question=d["question"], opens_at=d["opens_at"],
                closes_at=d["closes_at"], notice_days=d["notice_days"], seats=d.get("seats"),
                count_non_voters_with_majority=d.get("count_non_voters_with_majority", False),
                attachment=d["attachment"], ballot_rule=d["ballot_rule"], by=user)
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied:
            form.add_error("kind" if d["kind"] == VoteKind.ELECTION else "compound", _(
                "您不能在该小区发起这类表决：业委会选举由街道或社区组织，业主委员会只能发起本小区的表决事项"))
        else:
            messages.success(request, _("已创建表决草稿"))
            return redirect("assembly:detail", pk=vote.pk)
    return render(request, "assembly/form.html", {"form": form, "title": _("发起表决")})


def _ballot_forms(request, vote: Vote, bound=None, moves=None):
    moves = actions.allowed_moves(vote, request.user) if moves is None else moves
    if "cast" not in moves:
        return []
    heads = actions.heads_of(request.user, vote)
    out: list[dict] = []
    candidates = list(vote.candidates.filter(vetting=Vetting.APPROVED).select_related("person"))
    for key in heads:
        existing = Ballot.objects.filter(vote=vote, owner_key=key).first()
        units = vote.roll.filter(owner_key=key).select_related("unit")
        form: BallotForm | ElectionBallotForm
        if vote.kind == VoteKind.ELECTION:
            form = ElectionBallotForm(candidates=candidates, prefix=f"h{len(out)}",
                                      initial={"candidates": [str(c) for c in (existing.candidates if existing
                                                                               else [])]})
        else:
            form = BallotForm(prefix=f"h{len(out)}", initial={"choice": existing.choice if existing else None})
        if bound and bound[0] == key:
            form = bound[1]
        out.append({"key": key, "units": units, "ballot": existing, "form": form, "prefix": f"h{len(out)}",
                    "held": _held(vote, key), "log": existing.log.all() if existing else []})
    return out


def _held(vote: Vote, key: str) -> list[BallotConflict]:
    """The head's other ballots waiting for the organiser."""
    return list(vote.ballot_conflicts.filter(owner_key=key, state=BallotConflict.State.OPEN))


def _represented_by(request, vote: Vote) -> list[dict]:
    """A co-owner who does not cast the ballot: each unit on the roll they own with who votes for it."""
    person = getattr(request.user, "person", None)
    if person is None or vote.status == VoteStatus.DRAFT:
        return []
    mine = str(person.pk)
    out = []
    homes = HouseholdMember.objects.filter(person=person, relation=Relation.OWNER).values("place_id")
    for e in (vote.roll.filter(unit__in=homes).exclude(representative=person)
              .select_related("unit", "representative").order_by("unit__path")):
        if mine in e.owner_key[1:].split("+"):
            out.append({"unit": e.unit, "representative": e.representative.name if e.representative else "—"})
    return out


def _my_receipts(request, vote: Vote) -> list[dict]:
    """Once voting is over (closed, counted or cancelled): each of this user's heads, its units and its
    ballot (with the receipt and the user's own choice), to check on the 公示 page. Never anyone else's."""
    if vote.status == VoteStatus.DRAFT or vote.is_open() or (
            vote.status == VoteStatus.ANNOUNCED and timezone.now() < vote.opens_at):
        return []
    heads = actions.heads_of(request.user, vote)
    if not heads:
        return []
    ballots = {b.owner_key: b for b in Ballot.objects.filter(vote=vote, owner_key__in=heads)}
    names = {}
    if vote.kind == VoteKind.ELECTION:
        names = dict(vote.candidates.values_list("pk", "person__name"))
    out = []
    for key in heads:
        ballot = ballots.get(key)
        chosen = "、".join(names.get(c, "—") for c in ballot.candidates) if ballot and names else ""
        out.append({"key": key, "units": vote.roll.filter(owner_key=key).select_related("unit").order_by("unit__path"),
                    "ballot": ballot, "chosen": chosen, "log": ballot.log.all() if ballot else []})
    return out


@login_required
def vote_detail(request, pk, bound=None, status=200):
    vote = _vote(request, pk)
    organiser = _organiser(request.user, vote)
    moves = actions.allowed_moves(vote, request.user)
    ctx = {"vote": vote, "organiser": organiser, "moves": moves,
           "ballots": _ballot_forms(request, vote, bound, moves),
           "receipts": _my_receipts(request, vote),
           "state": vote.window_state(), "now": timezone.now(), "buildings": shown_buildings(vote),
           "candidates": vote.candidates.select_related("person"),
           "represented_by": _represented_by(request, vote)}
    if organiser:
        ctx["conflicts"] = list(vote.ballot_conflicts.filter(state=BallotConflict.State.OPEN)
                                .select_related("ballot").order_by("created_at", "pk"))
        units = defaultdict(list)
        for key, name in vote.roll.filter(owner_key__in={c.owner_key for c in ctx["conflicts"]}).values_list(
                "owner_key", "unit__name").order_by("unit__path"):
            units[key].append(name)
        for c in ctx["conflicts"]:
            c.units = "、".join(units[c.owner_key])
        ctx["roll_units"] = vote.roll.count()
        ctx["roll_heads"] = vote.roll.values("owner_key").distinct().count()
        ctx["ballot_count"] = vote.ballots.count()
        ctx["held"] = (vote.paper_entries.filter(state__in=[PaperEntry.State.PENDING, PaperEntry.State.CONFLICT])
                       .values("serial").distinct().count())
        # why an organiser's next step is not possible yet (the notice period, held paper ballots…)
        ctx["refusals"] = actions.refusals(vote, request.user, [
            m for m in ("announce", "tally") if m not in moves])
        if "nominate" in moves:
            owners = Person.objects.filter(pk__in=HouseholdMember.objects.current().filter(
                relation=Relation.OWNER, place__path__startswith=vote.compound.path).values("person_id")).exclude(
                pk__in=vote.candidates.values("person_id")).order_by("name")[:500]
            ctx["nominate_form"] = (bound or {}).get("nominate") if isinstance(bound, dict) else None
            ctx["nominate_form"] = ctx["nominate_form"] or NominateForm(
                owners=owners, homes=owner_homes(vote.compound, owners))
    return render(request, "assembly/detail.html", ctx, status=status)


@require_POST
@login_required
def cast(request, pk):
    vote = _vote(request, pk)
    key = request.POST.get("owner_key", "")
    forms = {f["key"]: f for f in _ballot_forms(request, vote)}
    if key not in forms:
        # not on the roll as this user's head, or voting is not open: say why
        try:
            actions.cast_ballot(vote, by=request.user, owner_key=key or None, choice=request.POST.get("choice", ""))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc) or _("无权投票")])))
        return redirect("assembly:detail", pk=vote.pk)
    prefix = forms[key]["prefix"]
    if vote.kind == VoteKind.ELECTION:
        candidates = list(vote.candidates.filter(vetting=Vetting.APPROVED).select_related("person"))
        form = ElectionBallotForm(request.POST, candidates=candidates, prefix=prefix)
    else:
        form = BallotForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            ballot = actions.cast_ballot(vote, by=request.user, owner_key=key,
                                         choice=form.cleaned_data.get("choice", ""),
                                         candidates=form.cleaned_data.get("candidates"))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if ballot.held is not None:
                messages.warning(request, _(
                    "本户已有%(c)s选票。同一业主只计一张选票：您这次的线上选票已记录，暂不计入，由组织方按本表决规则处理，"
                    "结果会通知您。回执码：%(r)s") % {"c": ballot.held.get_recorded_channel_display(), "r": ballot.receipt})
            else:
                messages.success(request, _("投票成功。您的回执码：%(r)s（请保存，可在公示页核验已计入）") % {
                    "r": ballot.receipt})
            return redirect("assembly:detail", pk=vote.pk)
    return vote_detail(request, pk, bound=(key, form), status=400)


@require_POST
@login_required
def organise(request, pk, verb):
    """Organiser moves: announce, cancel, tally, nominate, vet."""
    vote = _vote(request, pk)
    if not _organiser(request.user, vote):
        raise PermissionDenied
    try:
        if verb == "announce":
            actions.announce_vote(vote, by=request.user)
            messages.success(request, _("已公告，投票权登记已生成"))
        elif verb == "cancel":
            actions.cancel_vote(vote, by=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("表决已取消"))
        elif verb == "tally":
            actions.tally_vote(vote, by=request.user)
            messages.success(request, _("计票完成，结果已在公示页发布"))
        elif verb == "nominate":
            owners = Person.objects.filter(pk__in=HouseholdMember.objects.current().filter(
                relation=Relation.OWNER, place__path__startswith=vote.compound.path).values("person_id"))
            form = NominateForm(request.POST, owners=owners, homes=owner_homes(vote.compound, owners))
            if not form.is_valid():
                return vote_detail(request, pk, bound={"nominate": form}, status=400)
            actions.nominate_candidate(vote, person=owners.get(pk=form.cleaned_data["person"]),
                                       nominated_by=form.cleaned_data["nominated_by"],
                                       statement=form.cleaned_data["statement"], by=request.user)
        elif verb == "resolve_conflict":
            conflict_id = request.POST.get("conflict", "")
            if not conflict_id.isascii() or not conflict_id.isdigit() or len(conflict_id) > 12:
                raise Http404
            held = actions.resolve_ballot_conflict(vote, conflict=int(conflict_id), by=request.user,
                                                   reason=request.POST.get("reason", ""),
                                                   invalid=bool(request.POST.get("invalid")))
            messages.success(request, _("已按规则处理：%(d)s") % {"d": held.get_state_display()})
        elif verb == "vet":
            candidate_id = request.POST.get("candidate", "")
            if not candidate_id.isascii() or not candidate_id.isdigit():
                raise Http404
            candidate = get_object_or_404(Candidate, pk=int(candidate_id), vote=vote)
            form = VetForm(request.POST)
            if form.is_valid():
                actions.vet_candidate(candidate, approved=form.cleaned_data["approved"],
                                      reason=form.cleaned_data["reason"], by=request.user)
        else:
            raise Http404
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied as exc:  # a clear message on the page, not a bare 403
        messages.error(request, str(exc) or _("您无权进行此操作"))
    return redirect("assembly:detail", pk=vote.pk)


@login_required
def paper(request, pk):
    """纸质选票录入 (double entry) and proxy ballots."""
    vote = _vote(request, pk)
    if not _organiser(request.user, vote):
        raise PermissionDenied
    units = list(vote.roll.select_related("unit").order_by("unit__path"))
    candidates = list(vote.candidates.filter(vetting=Vetting.APPROVED).select_related("person")) \
        if vote.kind == VoteKind.ELECTION else []
    form = PaperForm(request.POST or None, units=units, candidates=candidates, voted=_voted(vote))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        unit = Place.objects.get(pk=d["unit"])
        try:
            if request.POST.get("resolve"):
                ballot = actions.resolve_paper_ballot(vote, serial=d["serial"], unit=unit, choice=d["choice"],
                                                      candidates=d.get("candidates"), by=request.user,
                                                      acknowledge_conflict=d["acknowledge_conflict"])
                if ballot.held is not None:
                    messages.warning(request, _("已按原件处理。该户已投票：这张纸质选票已作为同一业主的另一张选票记录，"
                                                "暂不计入，由组织方按本表决规则处理，并已通知业主。"))
                else:
                    messages.success(request, _("已按原件处理"))
            else:
                entry = actions.enter_paper_ballot(vote, serial=d["serial"], unit=unit, choice=d["choice"],
                                                   candidates=d.get("candidates"), by=request.user,
                                                   acknowledge_conflict=d["acknowledge_conflict"])
                text = {PaperEntry.State.PENDING: _("已录入，等待另一名工作人员复核录入"),
                        PaperEntry.State.CONFIRMED: _("两次录入一致，选票已计入"),
                        PaperEntry.State.CONFLICT: _("两次录入不一致！该选票暂不计入，请由第三人核对原件后处理")}
                if entry.held is not None:
                    messages.warning(request, HELD_PAPER)
                else:
                    (messages.warning if entry.state == PaperEntry.State.CONFLICT else messages.success)(
                        request, text[entry.state])
        except ValidationError as exc:
            apply_errors(form, exc)
            if "acknowledge_conflict" in form.errors:
                form.ask_acknowledgement()
        else:
            return redirect("assembly:paper", pk=vote.pk)
    entries = vote.paper_entries.select_related("entered_by__person").order_by("-created_at")[:100]
    moves = actions.allowed_moves(vote, request.user)
    ctx = {"vote": vote, "form": form, "entries": entries, "moves": moves,
           "refusals": actions.refusals(vote, request.user, ["paper"])}
    return render(request, "assembly/paper.html", ctx, status=400 if form.errors else 200)


@login_required
def proxy(request, pk):
    """委托投票 — staff record a proxy's ballot with the written authorisation."""
    vote = _vote(request, pk)
    if not _organiser(request.user, vote):
        raise PermissionDenied
    units = list(vote.roll.select_related("unit").order_by("unit__path"))
    candidates = list(vote.candidates.filter(vetting=Vetting.APPROVED).select_related("person")) \
        if vote.kind == VoteKind.ELECTION else []
    people = Person.objects.filter(place__path__startswith=vote.compound.path).order_by("name")[:1000]
    form = ProxyForm(request.POST or None, request.FILES or None, units=units, candidates=candidates,
                     people=people, voted=_voted(vote))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            ballot = actions.cast_proxy_ballot(vote, unit=Place.objects.get(pk=d["unit"]),
                                               proxy=Person.objects.get(pk=d["proxy"]),
                                               authorisation=d["authorisation"], choice=d["choice"],
                                               candidates=d.get("candidates"), by=request.user,
                                               acknowledge_conflict=d["acknowledge_conflict"])
        except ValidationError as exc:
            apply_errors(form, exc)
            if "acknowledge_conflict" in form.errors:
                form.ask_acknowledgement()
        else:
            if ballot.held is not None:
                messages.warning(request, _("该户已投票：这张委托选票已作为同一业主的另一张选票记录，暂不计入，"
                                            "由组织方按本表决规则处理，并已通知业主。"))
            else:
                messages.success(request, _("委托投票已记录"))
            return redirect("assembly:detail", pk=vote.pk)
    ctx = {"form": form, "title": _("委托投票"), "vote": vote}
    if "proxy" not in actions.allowed_moves(vote, request.user):
        # not now (the notice period, after the close): say why instead of a form the action would refuse
        ctx["refusal"] = actions.refusals(vote, request.user, ["proxy"]).get("proxy") or _("现在不能记录委托投票")
    return render(request, "assembly/form.html", ctx, status=400 if form.errors else 200)


# ---------------------------------------------------------------- public 公示


def public_vote(request, pk):
    """公示 — open to anyone: the question, the roll size, the result with each threshold explained, the
    breakdown by building; and a receipt check that says only whether the ballot was counted."""
    vote = get_object_or_404(Vote.objects.select_related("compound").exclude(status=VoteStatus.DRAFT), pk=pk)
    receipt = (request.GET.get("receipt") or "").strip().upper()
    found, history, pending, current = None, [], False, ""
    if receipt:
        # what the ballot's receipt can honestly say now: received (the count comes after the close),
        # counted, or kept although the vote was cancelled (never counted); and what happened to it (another
        # ballot of the same owner held, settled by the rule) — never how it was cast
        ballot = Ballot.objects.filter(vote=vote, receipt=receipt[:12]).first()
        if ballot is None:
            found = "missing"
        else:
            history, current = list(ballot.log.all()), ballot.get_channel_display()
            pending = ballot.conflicts.filter(state=BallotConflict.State.OPEN).exists()
            if vote.status == VoteStatus.CLOSED:
                found = "counted"
            elif vote.status == VoteStatus.CANCELLED:
                found = "cancelled"
            else:
                found = "received"
    ctx = {"vote": vote, "receipt": receipt, "found": found, "history": history, "pending": pending,
           "current": current, "buildings": shown_buildings(vote),
           "candidates": vote.candidates.filter(vetting=Vetting.APPROVED).select_related("person"),
           "units": vote.roll.count(), "heads": vote.roll.values("owner_key").distinct().count()}
    if vote.result and vote.kind == VoteKind.ELECTION:
        ctx["rows"] = sorted(vote.result["candidates"], key=lambda r: (-r["yes_heads"], r["name"]))
    return render(request, "assembly/public.html", ctx)


def public_compound(request, pk):
    """A compound's 公示 page: its announced and counted votes."""
    compound = get_object_or_404(Place, pk=pk, kind=Kind.COMPOUND)
    votes = Vote.objects.filter(compound=compound, status__in=[VoteStatus.ANNOUNCED, VoteStatus.CLOSED])
    return render(request, "assembly/public_compound.html", {"compound": compound, "votes": votes})


def public_attachment(request, pk):
    vote = get_object_or_404(Vote.objects.exclude(status=VoteStatus.DRAFT), pk=pk)
    if not vote.attachment:
        raise Http404
    return serve_upload(vote.attachment, name=f"vote-{vote.pk}", inline_images=False)  # always a download


def _result_lines(vote: Vote) -> list[list]:
    """The result sheet after the title line: the figures, the outcome and each threshold in plain words."""
    lines: list[list] = [[vote.get_matter_display()]]
    result: dict = vote.result or {}
    if vote.kind == VoteKind.QUESTION:
        q = result["question"]
        for label, key in [(_("总面积"), "total_area"), (_("总人数"), "total_heads"),
                           (_("参与面积"), "participating_area"), (_("参与人数"), "participating_heads"),
                           (_("同意面积"), "yes_area"), (_("同意人数"), "yes_heads"), (_("反对面积"), "no_area"),
                           (_("反对人数"), "no_heads"), (_("弃权面积"), "abstain_area"),
                           (_("弃权人数"), "abstain_heads")]:
            lines.append([label, q[key]])
        lines.append([_("结果"), _("通过") if q["passed"] else _("未通过")])
        lines.extend([c["explanation"]] for c in q["checks"])
        return lines
    participation = result.get("participation") or {}
    lines.append([_("参与表决（法定人数）"), _("达到") if participation.get("quorum_met") else _("未达到")])
    lines.extend([c["explanation"]] for c in participation.get("checks", []) if c["name"].startswith("quorum_"))
    lines.append([_("候选人"), _("同意人数"), _("同意面积"), _("达到门槛"), _("当选"), _("同意面积门槛"),
                  _("同意人数门槛")])
    for r in result["candidates"]:
        checks = {c["name"]: c["explanation"] for c in r.get("checks", [])}
        lines.append([r["name"], r["yes_heads"], r["yes_area"], _("是") if r["qualified"] else _("否"),
                      _("是") if r["elected"] else (_("得票相同，未当选") if r.get("tied") else _("否")),
                      checks.get("approval_area", ""), checks.get("approval_heads", "")])
    if result.get("tied"):
        lines.append([_("有候选人得票人数和面积完全相同，争夺最后的名额，无法决定谁当选：该名额空缺，须补选。")])
    if result.get("seated") is False:
        lines.append([_("当选人数少于业主委员会最低人数（%(m)s 人），新一届业主委员会不能组成：原业主委员会继续履职，"
                        "须补选。") % {"m": result["minimum_seats"]}])
    return lines


def _building_lines(vote: Vote) -> list[list]:
    """The breakdown by building, its cells withheld where too few units took part, and the note saying so."""
    lines: list[list] = []
    for row in shown_buildings(vote):
        if row["hidden"]:
            lines.append([row["building"], row["units"], row["area"], "—", "—", "—", "—"])
        else:
            lines.append([row["building"], row["units"], row["area"], row["yes"], row["no"], row["abstain"],
                          row["none"]])
    lines.append([_("参与投票少于%(n)s户的楼栋不显示分项（“—”），以免推知个人投票。") % {"n": MIN_SHOWN_PARTICIPANTS}])
    return lines


def public_result_xlsx(request, pk):
    """The 公示 result as .xlsx: the result sheet and, for a question, the breakdown by building."""
    vote = get_object_or_404(Vote, pk=pk, status=VoteStatus.CLOSED)
    more = []
    if vote.kind == VoteKind.QUESTION:
        more.append((_("分楼栋"), [_("楼栋"), _("户数"), _("面积"), _("同意"), _("反对"), _("弃权"), _("未投票")],
                     _building_lines(vote)))
    response, _rows, _cut = xlsx_response(_("%(t)s-结果") % {"t": vote.title}, _("表决结果"), [vote.title],
                                          _result_lines(vote), more_sheets=more)
    return response
