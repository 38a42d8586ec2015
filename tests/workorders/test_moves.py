"""One answer to "what may this user do now": ``actions.allowed_moves`` runs the verbs' own prechecks, so for
every account of the cast and many states of a request, a move it lists succeeds when attempted and a move it
leaves out is refused (PermissionDenied or StateConflict). The pages and the API show the same answer."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import translation

from gongzhi.core.models import Event
from gongzhi.workorders import actions
from gongzhi.workorders.models import Request, Status

from ..conftest import ROLES

CAST = [*ROLES, "superuser"]


class _Rollback(Exception):
    pass


def _call(move, req, user, ctx):
    calls = {
        "dispatch": lambda: actions.dispatch_request(req, to=ctx["managed"], by=user, note="改派：换承办单位"),
        "grab": lambda: actions.grab_request(req, by=user),
        "accept": lambda: actions.accept_request(req, by=user),
        "start": lambda: actions.start_request(req, by=user),
        "resolve": lambda: actions.resolve_request(req, by=user, result_note="已更换阀门"),
        "return": lambda: actions.return_request(req, by=user, reason="不属于本单位"),
        "reject": lambda: actions.reject_request(req, by=user, reason="不属于受理范围"),
        "merge": lambda: actions.merge_request(req, into=ctx["other"], by=user),
        "rate": lambda: actions.rate_request(req, by=user, rating=4),
        "reopen": lambda: actions.reopen_request(req, by=user, reason="还在漏水"),
        "follow_up": lambda: actions.follow_up_request(req, by=user, note="居民表示满意"),
        "whistle": lambda: actions.whistle_request(req, department=ctx["police"], by=user, note="协助处置"),
    }
    return calls[move]()


def _attempt(move, pk, user, ctx):
    """Make the move on a fresh copy of the request and undo it: None if it succeeded, else the refusal."""
    try:
        with transaction.atomic():
            _call(move, Request.objects.get(pk=pk), user, ctx)
            raise _Rollback
    except _Rollback:
        return None
    except (PermissionDenied, actions.StateConflict) as exc:
        return exc


def _state(name, request, filed, community_staff, managed, company_staff, resident):
    if name == "filed":
        return filed
    if name == "rejected":
        return actions.reject_request(filed, by=community_staff, reason="不受理")
    if name == "pooled":
        return actions.dispatch_request(filed, to=managed, by=community_staff, mode="pool")
    req = actions.dispatch_request(filed, to=managed, by=community_staff)
    if name == "dispatched":
        return req
    if name == "returned":
        return actions.return_request(req, by=company_staff, reason="不归我们")
    req = actions.accept_request(req, by=company_staff)
    if name == "accepted":
        return req
    if name == "in_progress":
        return actions.start_request(req, by=company_staff)
    req = actions.resolve_request(req, by=company_staff, result_note="已修好")
    if name == "resolved":
        return req
    req = actions.rate_request(req, by=resident, rating=5)
    if name == "rated":
        return req
    assert name == "closed"
    return actions.close_request(req)


STATES = ["filed", "rejected", "pooled", "dispatched", "returned", "accepted", "in_progress", "resolved", "rated",
          "closed"]


@pytest.mark.parametrize("state", STATES)
def test_allowed_moves_are_exactly_the_moves_that_succeed(request, state, tree, orgs, filed, community_staff,
                                                          managed, company_staff, resident, utilities):
    req = _state(state, request, filed, community_staff, managed, company_staff, resident)
    other = actions.file_request(by=resident, category=utilities, description="另一处漏水", place=tree["household"])
    ctx = {"managed": managed, "police": orgs["police"], "other": other}
    cast = {role: request.getfixturevalue(role) for role in CAST}
    events = Event.objects.count()
    for role, user in cast.items():
        allowed = actions.allowed_moves(Request.objects.get(pk=req.pk), user)
        assert allowed <= set(actions.USER_MOVES)
        for move in actions.USER_MOVES:
            refusal = _attempt(move, req.pk, user, ctx)
            if move in allowed:
                assert refusal is None, f"{role} may {move} a {state} request, but: {refusal}"
            else:
                assert refusal is not None, f"{role} is not offered {move} on a {state} request, yet it succeeded"
    assert Event.objects.count() == events  # every attempt was undone


def test_the_moves_offered_across_the_states(request, filed, community_staff, managed, company_staff, resident):
    """The property above is not vacuous: who is offered what, on a few states."""
    expect = {
        "filed": {"community_staff": {"dispatch", "reject", "merge", "whistle"}, "resident": set(),
                  "property_staff": set()},
        "pooled": {"property_staff": {"grab", "return"}, "community_staff": {"dispatch", "merge", "whistle"}},
        "accepted": {"property_staff": {"start", "resolve", "return"}, "resident": set()},
        "resolved": {"resident": {"rate", "reopen"}, "community_staff": {"follow_up"}, "property_staff": set()},
    }
    for state, by_role in expect.items():
        Request.objects.all().delete()
        req = _state(state, request, actions.file_request(
            by=resident, category=filed.category, description="漏水", place=filed.place), community_staff, managed,
            company_staff, resident)
        for role, moves in by_role.items():
            assert actions.allowed_moves(req, request.getfixturevalue(role)) == moves, (state, role)


def test_the_request_page_and_the_api_offer_the_allowed_moves(client, dispatched, company_staff, community_staff):
    client.force_login(company_staff)
    page = client.get(f"/requests/{dispatched.pk}/")
    assert set(page.context["forms"]) == actions.allowed_moves(dispatched, company_staff) == {"accept", "return"}
    assert 'data-testid="act-accept"' in page.content.decode()
    assert 'data-testid="act-dispatch"' not in page.content.decode()
    body = client.get(f"/api/requests/{dispatched.pk}").json()
    assert body["allowed_moves"] == ["accept", "return"]
    client.force_login(community_staff)
    body = client.get(f"/api/requests/{dispatched.pk}").json()
    assert body["allowed_moves"] == sorted(actions.allowed_moves(dispatched, community_staff))
    assert "dispatch" in body["allowed_moves"] and "accept" not in body["allowed_moves"]


# ---------------------------------------------------------------- filing: only where one may file


@pytest.mark.parametrize("role", ["property_staff", "department_liaison"])
def test_staff_who_may_file_nowhere_get_no_form_but_a_way_on(client, request, tree, role, managed, utilities):
    user = request.getfixturevalue(role)
    assert not user.has_perm("workorders.file_request", tree["compound"])
    client.force_login(user)
    page = client.get("/requests/new/")
    html = page.content.decode()
    assert page.status_code == 200 and page.context["form"] is None
    assert 'data-testid="cannot-file"' in html and "不能在此下单" in html
    assert 'href="/requests/"' in html  # what they can do instead
    assert '<form method="post" enctype="multipart/form-data"' not in html
    response = client.post("/requests/new/", {"category": "utilities", "description": "漏水",
                                              "place": tree["compound"].pk, "urgency": "normal"})
    assert response.status_code == 200 and not Request.objects.exists()


@pytest.mark.parametrize("role", ["grid_worker", "community_staff", "resident", "committee_member"])
def test_every_place_offered_for_filing_is_accepted(client, request, tree, role, managed, utilities):
    user = request.getfixturevalue(role)
    client.force_login(user)
    form = client.get("/requests/new/").context["form"]
    choices = [value for value, _label in form.fields["place"].choices]
    assert choices
    from gongzhi.places.models import Place

    for place in Place.objects.filter(pk__in=choices):
        assert user.has_perm("workorders.file_request", place), (role, place.name)


# ---------------------------------------------------------------- the move's name in the reader's language


def test_an_invalid_transition_names_the_move_in_english():
    translation.activate("en")
    with pytest.raises(actions.InvalidTransition) as exc:
        actions.check_transition("dispatch", Status.RATED)
    message = exc.value.message_dict["status"][0]
    assert "Dispatch" in message and "Rated" in message and "派单" not in message
    translation.activate("zh-hans")
    with pytest.raises(actions.InvalidTransition) as exc:
        actions.check_transition("dispatch", Status.RATED)
    assert exc.value.message_dict["status"][0] == "当前状态“已评单”下不能派单"
