"""The request lifecycle: 下单 → 派单 → 接单 → 处理中 → 办结 → 评单 → 关闭, and its side roads."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.core.models import Event
from gongzhi.notices.models import Notification
from gongzhi.workorders import actions, visibility
from gongzhi.workorders.models import Request, Status

from .conftest import png


def test_filing_numbers_and_deadlines(filed, resident):
    assert filed.status == Status.SUBMITTED
    assert filed.number.startswith("GZ-") and filed.number.endswith("-0001")
    assert filed.reporter == resident.person
    assert filed.resolution_due_at > filed.created_at
    event = Event.objects.get(verb="workorders.file_request")
    assert event.public is True and event.actor == resident


def test_numbers_are_consecutive(tree, resident, utilities, managed):
    numbers = [actions.file_request(by=resident, category=utilities, description=f"第{i}件",
                                    place=tree["household"]).number for i in range(3)]
    assert [n[-4:] for n in numbers] == ["0001", "0002", "0003"]


def test_full_happy_path_with_timeline(dispatched, company_staff, resident, community_staff):
    req = actions.accept_request(dispatched, by=company_staff)
    assert req.status == Status.ACCEPTED and req.assignee == company_staff.person
    req = actions.start_request(req, by=company_staff)
    req = actions.resolve_request(req, by=company_staff, result_note="已更换阀门", photos=[png()])
    assert req.status == Status.RESOLVED and req.photos.filter(stage="result").count() == 1
    req = actions.rate_request(req, by=resident, rating=5, comment="及时")
    assert (req.status, req.rating, req.first_rating) == (Status.RATED, 5, 5)
    timeline = list(Event.objects.filter(target_id=str(req.pk), public=True).order_by("at", "pk")
                    .values_list("verb", flat=True))
    assert timeline == ["workorders.file_request", "workorders.dispatch_request", "workorders.accept_request",
                        "workorders.start_request", "workorders.resolve_request", "workorders.rate_request"]


def test_rate_two_reopen_resolve_again_rate_five(resolved, resident, company_staff):
    req = actions.rate_request(resolved, by=resident, rating=2, comment="还在漏")
    req = actions.reopen_request(req, by=resident, reason="还在漏水")
    assert (req.status, req.reopen_count) == (Status.REOPENED, 1)
    req = actions.accept_request(req, by=company_staff)
    req = actions.resolve_request(req, by=company_staff, result_note="更换整段水管")
    req = actions.rate_request(req, by=resident, rating=5)
    assert (req.rating, req.first_rating, req.reopen_count) == (5, 2, 1)


def test_return_and_reject_reasons(dispatched, company_staff, community_staff, resident):
    with pytest.raises(ValidationError) as exc:
        actions.return_request(dispatched, by=company_staff, reason="  ")
    assert exc.value.message_dict == {"reason": ["请填写理由"]}
    req = actions.return_request(dispatched, by=company_staff, reason="不属于物业服务范围")
    assert req.status == Status.RETURNED and req.assignee is None
    req = actions.reject_request(req, by=community_staff, reason="属于私人合同纠纷，请通过法院解决")
    assert req.status == Status.REJECTED
    assert Notification.objects.filter(user=resident, verb="workorders.reject_request").get().text.endswith(
        "属于私人合同纠纷，请通过法院解决")


def test_merge_duplicates(tree, filed, resident, community_staff, utilities):
    dup = actions.file_request(by=resident, category=utilities, description="同一漏水", place=tree["household"])
    dup = actions.merge_request(dup, into=filed, by=community_staff)
    assert (dup.status, dup.merged_into_id) == (Status.MERGED, filed.pk)
    with pytest.raises(ValidationError):
        actions.merge_request(filed, into=filed, by=community_staff)


def test_redispatch_needs_a_reason(dispatched, community_staff, orgs):
    with pytest.raises(ValidationError) as exc:
        actions.dispatch_request(dispatched, to=orgs["community_office"], by=community_staff)
    assert "note" in exc.value.message_dict
    req = actions.dispatch_request(dispatched, to=orgs["community_office"], by=community_staff, note="涉及公共管网")
    assert req.handler == orgs["community_office"]


def test_reopen_window(resolved, resident, settings):
    from datetime import timedelta

    from django.utils import timezone

    Request.objects.filter(pk=resolved.pk).update(resolved_at=timezone.now() - timedelta(days=30))
    with pytest.raises(ValidationError) as exc:
        actions.reopen_request(resolved, by=resident, reason="又坏了")
    assert "已超过可重办期限" in exc.value.message_dict["status"][0]


def test_follow_up_call(resolved, community_staff):
    req = actions.follow_up_request(resolved, by=community_staff, note="电话回访，居民表示已修好")
    assert req.followed_up_at is not None
    assert Event.objects.filter(verb="workorders.follow_up_request").count() == 1


def test_anonymous_to_company(tree, resident, utilities, managed, company_staff, community_staff):
    req = actions.file_request(by=resident, category=utilities, description="投诉保安", place=tree["household"],
                               anonymous=True)
    req = Request.objects.select_related("reporter", "place").get(pk=req.pk)
    assert visibility.shown(req, company_staff).reporter is False
    assert visibility.shown(req, community_staff).reporter is True
    assert visibility.shown(req, resident).reporter is True and visibility.shown(req, resident).hidden_note is True


def test_resident_cannot_file_for_another_household(tree, resident, utilities):
    count = Request.objects.count()
    with pytest.raises(PermissionDenied):
        actions.file_request(by=resident, category=utilities, description="x", place=tree["other_household"])
    assert Request.objects.count() == count


def test_resident_can_file_for_their_compound_common_areas(tree, resident, utilities, managed):
    req = actions.file_request(by=resident, category=utilities, description="楼道灯坏了", place=tree["building"])
    assert req.place == tree["building"]
