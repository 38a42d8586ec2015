"""派单 routing: which organisation a request goes to (``route``: routing rules, else the category's default
handler), the round-robin roster (``Duty``, ``next_on_duty``), and the audited edits of both — routing rules
by street and community staff, duty rosters by an organisation's managers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.models import Event
from gongzhi.core.permissions import require
from gongzhi.core.utils import changed_fields
from gongzhi.people.models import ManagementAssignment, Organisation, OrgKind, Person, Position
from gongzhi.places.models import Kind, Place

from ..events import Verb
from ..models import Category, Duty, HandlerKind, RoutingRule
from ..queries import dispatch_targets_at


def route(category: Category, place: Place) -> Organisation | None:
    """The organisation routing rules (deepest place, category-specific first) or defaults pick."""
    prefixes = [place.path[: i] for i in range(4, len(place.path) + 1, 4)]
    rules = list(RoutingRule.objects.filter(place__path__in=prefixes).select_related("place", "organisation"))
    rules.sort(key=lambda r: (r.category_id == category.pk, len(r.place.path)), reverse=True)
    for rule in rules:
        if rule.category_id in (None, category.pk):
            return rule.organisation
    kind = category.handler_kind
    if kind == HandlerKind.DEPARTMENT and category.department_id:
        return category.department
    # the place and the places above it, by kind (a tree may start at a street; a compound may sit directly
    # under its community): never a fixed path depth
    line = {p.kind: p for p in [*place.ancestors(), place]}
    if kind == HandlerKind.PROPERTY_COMPANY and Kind.COMPOUND in line:
        assignment = (ManagementAssignment.objects.filter(place=line[Kind.COMPOUND], end_date__isnull=True)
                      .select_related("company").order_by("-start_date").first())
        if assignment:
            return assignment.company
    anchor = line.get(Kind.STREET) if kind == HandlerKind.STREET else (
        line.get(Kind.COMMUNITY) or line.get(Kind.STREET))  # the community office, else the street's
    if anchor is None:
        return None
    return Organisation.objects.filter(place=anchor, kind=OrgKind.OFFICE).order_by("pk").first()



def next_on_duty(org: Organisation) -> Person | None:
    """Round-robin: the on-duty person assigned longest ago (never first), locked so two dispatches differ.
    Only people who still hold a post in the organisation take turns: a roster row outlives an ended post."""
    serving = Position.objects.active().filter(organisation=org).values("person_id")
    duty = (Duty.objects.select_for_update().filter(organisation=org, on_duty=True, person_id__in=serving)
            .order_by(F("last_assigned_at").asc(nulls_first=True), "pk").first())
    if duty is None:
        return None
    duty.last_assigned_at = timezone.now()
    duty.save(update_fields=["last_assigned_at"])
    return duty.person



# ---------------------------------------------------------------- routing rules (street and community staff)

RULE_PLACE_KINDS = ("district", "street", "community", "grid", "compound")


def _rule_fields(rule: RoutingRule) -> dict:
    return {"category": rule.category_id, "place": rule.place_id, "organisation": rule.organisation_id}


def _check_rule(*, category: Category | None, place: Place, organisation: Organisation) -> None:
    errors = {}
    if place.kind not in RULE_PLACE_KINDS:
        errors["place"] = _("派单规则的区域只能是街道、社区、网格或小区")
    elif not dispatch_targets_at(place).filter(pk=organisation.pk).exists():
        errors["organisation"] = _("“%(org)s”不能承办“%(place)s”的诉求") % {"org": organisation.name,
                                                                           "place": place.name}
    if errors:
        raise ValidationError(errors)


def _save_rule(rule: RoutingRule) -> None:
    """Save under the (category, place) constraints: a duplicate is a form error, not a 500."""
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError as exc:
        raise ValidationError({"category": _("该区域已有“%(c)s”的派单规则，请修改原规则") % {
            "c": rule.category.name if rule.category is not None else _("所有类别")}}, code="duplicate_rule") from exc


def create_routing_rule(*, category: Category | None, place: Place, organisation: Organisation, by) -> RoutingRule:
    """新建派单规则 — requests of ``category`` (None: any) in ``place``'s subtree go to ``organisation``."""
    _check_rule(category=category, place=place, organisation=organisation)
    with transaction.atomic():
        require(by, "workorders.create_routing_rule", place)
        rule = RoutingRule(category=category, place=place, organisation=organisation)
        _save_rule(rule)
        Event.record(by, Verb.CREATE_ROUTING_RULE, rule, place=place, summary=str(rule), after=_rule_fields(rule))
    return rule


def update_routing_rule(rule: RoutingRule, *, by, **fields) -> RoutingRule:
    """修改派单规则 (category, place, organisation); both the old and the new place must be the actor's."""
    with transaction.atomic():
        rule = (RoutingRule.objects.select_for_update(of=("self",))
                .select_related("category", "place", "organisation").get(pk=rule.pk))
        require(by, "workorders.update_routing_rule", rule)
        snapshot = _rule_fields(rule)
        for key in ("category", "place", "organisation"):
            if key in fields:
                setattr(rule, key, fields[key])
        before, after = changed_fields(snapshot, _rule_fields(rule))
        if not after:
            return rule
        require(by, "workorders.update_routing_rule", rule.place)
        _check_rule(category=rule.category, place=rule.place, organisation=rule.organisation)
        _save_rule(rule)
        Event.record(by, Verb.UPDATE_ROUTING_RULE, rule, place=rule.place, summary=str(rule),
                     before=before, after=after)
    return rule


def delete_routing_rule(rule: RoutingRule, *, by) -> None:
    """删除派单规则."""
    with transaction.atomic():
        rule = (RoutingRule.objects.select_for_update(of=("self",))
                .select_related("category", "place", "organisation").get(pk=rule.pk))
        require(by, "workorders.delete_routing_rule", rule)
        Event.record(by, Verb.DELETE_ROUTING_RULE, rule, place=rule.place, summary=str(rule),
                     before=_rule_fields(rule))
        rule.delete()


# ---------------------------------------------------------------- duty roster (the organisation's managers)


def add_duty(org: Organisation, *, person: Person, by) -> Duty:
    """加入值班 — one of the organisation's people (an active post in it) joins the round-robin, on duty."""
    with transaction.atomic():
        require(by, "workorders.add_duty", org)
        if not Position.objects.active().filter(person=person, organisation=org).exists():
            raise ValidationError({"person": _("%(p)s 不是“%(o)s”的在岗人员") % {"p": person.name, "o": org.name}})
        try:
            with transaction.atomic():
                duty = Duty.objects.create(organisation=org, person=person, on_duty=True)
        except IntegrityError as exc:
            raise ValidationError({"person": _("%(p)s 已在值班表中") % {"p": person.name}},
                                  code="duplicate_duty") from exc
        Event.record(by, Verb.ADD_DUTY, duty, place=org.place, summary=str(duty),
                     after={"organisation": org.pk, "person": person.pk, "on_duty": True})
    return duty


def _lock_duty(duty: Duty) -> Duty:
    return Duty.objects.select_for_update(of=("self",)).select_related("organisation__place", "person").get(
        pk=duty.pk)


def set_duty(duty: Duty, *, on_duty: bool, by) -> Duty:
    """调整在岗 — off duty keeps the member on the roster but out of the round-robin."""
    with transaction.atomic():
        duty = _lock_duty(duty)
        require(by, "workorders.set_duty", duty.organisation)
        if duty.on_duty == on_duty:
            return duty
        duty.on_duty = on_duty
        duty.save(update_fields=["on_duty"])
        Event.record(by, Verb.SET_DUTY, duty, place=duty.organisation.place, summary=str(duty),
                     before={"on_duty": not on_duty}, after={"on_duty": on_duty})
    return duty


def remove_duty(duty: Duty, *, by) -> None:
    """移出值班."""
    with transaction.atomic():
        duty = _lock_duty(duty)
        require(by, "workorders.remove_duty", duty.organisation)
        Event.record(by, Verb.REMOVE_DUTY, duty, place=duty.organisation.place, summary=str(duty),
                     before={"organisation": duty.organisation_id, "person": duty.person_id,
                             "on_duty": duty.on_duty})
        duty.delete()
