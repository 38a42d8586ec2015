"""Every illegal transition is refused, for every role; nothing is written when refused."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.core.models import Event
from gongzhi.workorders import actions
from gongzhi.workorders.actions import TRANSITIONS, InvalidTransition, check_transition
from gongzhi.workorders.models import Request, Status

from ..conftest import ROLES

ALL = [s for s in Status]


@pytest.mark.parametrize("verb", sorted(TRANSITIONS))
@pytest.mark.parametrize("status", ALL)
def test_the_table_is_the_only_authority(verb, status):
    allowed, target = TRANSITIONS[verb]
    if status in allowed:
        assert check_transition(verb, status) == target
    else:
        with pytest.raises(InvalidTransition) as exc:
            check_transition(verb, status)
        assert "status" in exc.value.message_dict


def _call(verb, req, user, ctx):
    if verb == "dispatch":
        return actions.dispatch_request(req, to=ctx["managed"], by=user, note="改派")
    if verb == "accept":
        return actions.accept_request(req, by=user)
    if verb == "start":
        return actions.start_request(req, by=user)
    if verb == "resolve":
        return actions.resolve_request(req, by=user, result_note="好了")
    if verb == "return":
        return actions.return_request(req, by=user, reason="不归我们")
    if verb == "reject":
        return actions.reject_request(req, by=user, reason="不受理")
    if verb == "rate":
        return actions.rate_request(req, by=user, rating=4)
    if verb == "reopen":
        return actions.reopen_request(req, by=user, reason="没修好")
    raise AssertionError(verb)


# who may do what on a request in the first community (resident filed it, 万科物业 handles it)
MAY = {
    "dispatch": {"street_staff", "community_staff"},
    "reject": {"street_staff", "community_staff"},
    "accept": {"property_staff"},
    "start": {"property_staff"},
    "resolve": {"property_staff"},
    "return": {"property_staff"},
    "rate": {"resident"},
    "reopen": {"resident"},
}
STATE_FOR = {"dispatch": "filed", "reject": "filed", "accept": "dispatched", "start": "accepted",
             "resolve": "accepted", "return": "dispatched", "rate": "resolved", "reopen": "resolved"}


@pytest.fixture
def accepted(dispatched, company_staff):
    return actions.accept_request(dispatched, by=company_staff)


@pytest.mark.parametrize("verb", sorted(MAY))
@pytest.mark.parametrize("role", ROLES)
def test_only_the_right_role_may_move_it(request, verb, role, managed, resident):
    req = request.getfixturevalue(STATE_FOR[verb])
    user = resident if role == "resident" else request.getfixturevalue(role)
    before = (Request.objects.get(pk=req.pk).status, Event.objects.count())
    if role in MAY[verb]:
        _call(verb, req, user, {"managed": managed})
        assert Request.objects.get(pk=req.pk).status != before[0] or verb == "dispatch"
    else:
        with pytest.raises(PermissionDenied):
            _call(verb, req, user, {"managed": managed})
        assert (Request.objects.get(pk=req.pk).status, Event.objects.count()) == before


@pytest.mark.parametrize("verb", ["accept", "start", "resolve", "return", "rate", "reopen", "reject"])
def test_wrong_state_is_refused_with_a_clear_message(verb, tree, resolved, managed, company_staff, community_staff,
                                                     resident, utilities):
    fresh = actions.file_request(by=resident, category=utilities, description="另一件", place=tree["household"])
    # a state the table does not allow for the verb
    wrong = {"rate": fresh, "reopen": fresh}.get(verb, resolved)
    user = {"rate": resident, "reopen": resident, "reject": community_staff}.get(verb, company_staff)
    status, events = Request.objects.get(pk=wrong.pk).status, Event.objects.count()
    with pytest.raises(ValidationError) as exc:
        _call(verb, wrong, user, {"managed": managed})
    assert "不能" in exc.value.message_dict["status"][0]
    assert (Request.objects.get(pk=wrong.pk).status, Event.objects.count()) == (status, events)


@pytest.mark.parametrize("bad", [0, 6, -1, "五", None, 3.5])
def test_rating_out_of_range(resolved, resident, bad):
    with pytest.raises(ValidationError) as exc:
        actions.rate_request(resolved, by=resident, rating=bad)
    assert exc.value.message_dict == {"rating": ["评分必须是1到5之间的整数"]}
    assert Request.objects.get(pk=resolved.pk).status == Status.RESOLVED


def test_rating_by_someone_who_did_not_file(resolved, committee_member):
    with pytest.raises(PermissionDenied):
        actions.rate_request(resolved, by=committee_member, rating=5)
    assert Request.objects.get(pk=resolved.pk).rating is None
