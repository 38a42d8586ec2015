"""Every change to people, organisations and posts: one transaction, one audit Event each."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import crypto
from gongzhi.core.events import Verb as CoreVerb
from gongzhi.core.masking import mask_id_number, mask_phone
from gongzhi.core.models import Event
from gongzhi.core.permissions import require as _check
from gongzhi.core.scope import bump_scope_versions
from gongzhi.core.utils import plain
from gongzhi.core.validators import clean_id_number, clean_phone, clean_uscc
from gongzhi.places.imports import area_of
from gongzhi.places.models import Kind, Place

from .events import Verb
from .models import (
    DEFAULT_TOKEN_DAYS,
    PARTY_KINDS,
    TOKEN_DAYS,
    ApiToken,
    HouseholdMember,
    Organisation,
    OrgKind,
    Person,
    Position,
    Relation,
)
from .roles import Title

PERSON_FIELDS = ("name", "phone", "place", "is_party_member", "party_organisation", "party_relation", "skills")


def clean_person_fields(fields: dict) -> dict:
    """Shape checks shared by forms, API and import; returns normalised values."""
    errors: dict[str, str] = {}
    out = dict(fields)
    if "name" in fields:
        name = (fields.get("name") or "").strip()
        if not name:
            errors["name"] = _("姓名不能为空")
        elif len(name) > 50:
            errors["name"] = _("姓名不能超过50个字")
        out["name"] = name
    if fields.get("phone"):
        try:
            out["phone"] = clean_phone(fields["phone"])
        except ValidationError as exc:
            errors["phone"] = exc.messages[0]
    if fields.get("id_number"):
        try:
            out["id_number"] = clean_id_number(fields["id_number"])
        except ValidationError as exc:
            errors["id_number"] = exc.messages[0]
    org = fields.get("party_organisation")
    if org is not None and org.kind not in PARTY_KINDS:
        errors["party_organisation"] = _("所在党组织必须是党委、党支部或党小组")
    if errors:
        raise ValidationError(errors)
    return out


def create_person(*, by, id_number: str = "", **fields) -> Person:
    """新建人员 (real-name record)."""
    fields = clean_person_fields({**fields, "id_number": id_number})
    id_number = fields.pop("id_number", "") or ""
    with transaction.atomic():
        _check(by, "people.create_person", fields["place"])
        if id_number and Person.objects.filter(id_number_index=crypto.blind_index(id_number)).exists():
            raise ValidationError({"id_number": _("该身份证号码已登记")}, code="duplicate_id")
        person = Person(**{k: v for k, v in fields.items() if k in PERSON_FIELDS})
        if id_number:
            person.set_id_number(id_number)
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError as exc:  # a concurrent insert of the same ID number
            raise ValidationError({"id_number": _("该身份证号码已登记")}, code="duplicate_id") from exc
        Event.record(by, Verb.CREATE_PERSON, person, summary=person.name,
                     after={"name": person.name, "id_number": person.id_number_masked,
                            "phone": mask_phone(person.phone)})
    return person


def update_person(person: Person, *, by, id_number: str | None = None, **fields) -> Person:
    """修改人员."""
    fields = clean_person_fields({**fields, **({"id_number": id_number} if id_number else {})})
    new_id = fields.pop("id_number", None)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        _check(by, "people.update_person", person)
        if "place" in fields:
            _check(by, "people.update_person", fields["place"])
        if person.user_id is not None and "phone" in fields and fields["phone"] != person.phone:
            # the phone receives the account's codes: changing it is managing the account (no take-over)
            _check(by, "people.manage_account", person)
        before, after = {}, {}
        for key, value in fields.items():
            if key not in PERSON_FIELDS:
                continue
            old = getattr(person, key)
            if old != value:
                masked = key == "phone"
                before[key] = mask_phone(old) if masked else plain(old)
                after[key] = mask_phone(value) if masked else plain(value)
                setattr(person, key, value)
                if key == "phone":  # a new phone is not proven until a code sent to it is redeemed
                    person.verified_phone_index = ""
        if new_id and crypto.blind_index(new_id) != person.id_number_index:
            if Person.objects.filter(id_number_index=crypto.blind_index(new_id)).exclude(pk=person.pk).exists():
                raise ValidationError({"id_number": _("该身份证号码已登记")}, code="duplicate_id")
            before["id_number"], after["id_number"] = person.id_number_masked, mask_id_number(new_id)
            person.set_id_number(new_id)
        if not after:
            return person
        person.save()
        Event.record(by, Verb.UPDATE_PERSON, person, summary=person.name, before=before, after=after)
    return person


def reveal_pii(person: Person, *, field: str, by) -> str:
    """查看完整身份证号或手机号 — allowed to roles that need it, and always audited."""
    if field not in ("id_number", "phone"):
        raise ValidationError({"field": _("只能查看身份证号或手机号")})
    with transaction.atomic():
        _check(by, "core.reveal_pii", person)
        value = person.id_number if field == "id_number" else person.phone
        Event.record(by, CoreVerb.REVEAL_PII, person, summary=_("查看%(field)s") % {
            "field": _("身份证号") if field == "id_number" else _("手机号")}, after={"field": field})
    return value


def clean_organisation_fields(fields: dict) -> dict:
    errors: dict[str, str] = {}
    out = dict(fields)
    if "name" in fields:
        out["name"] = (fields.get("name") or "").strip()
        if not out["name"]:
            errors["name"] = _("名称不能为空")
    kind = fields.get("kind")
    if fields.get("uscc"):
        try:
            out["uscc"] = clean_uscc(fields["uscc"])
        except ValidationError as exc:
            errors["uscc"] = exc.messages[0]
    elif kind == OrgKind.PROPERTY_COMPANY:
        errors["uscc"] = _("物业服务企业必须填写统一社会信用代码")
    parent = fields.get("parent")
    if parent is not None and kind in PARTY_KINDS and parent.kind not in PARTY_KINDS:
        errors["parent"] = _("党组织的上级必须是党组织")
    alliance = fields.get("alliance")
    if alliance is not None and alliance.kind != OrgKind.ALLIANCE:
        errors["alliance"] = _("所属联盟必须是红色物业联盟")
    if errors:
        raise ValidationError(errors)
    return out


ORG_FIELDS = ("kind", "name", "place", "parent", "uscc", "alliance", "phone")


def create_organisation(*, by, **fields) -> Organisation:
    """新建组织."""
    fields = clean_organisation_fields(fields)
    with transaction.atomic():
        _check(by, "people.create_organisation", fields["place"])
        if fields.get("uscc") and Organisation.objects.filter(uscc=fields["uscc"]).exists():
            raise ValidationError({"uscc": _("该统一社会信用代码已登记")}, code="duplicate_uscc")
        org = Organisation.objects.create(**{k: v for k, v in fields.items() if k in ORG_FIELDS})
        Event.record(by, Verb.CREATE_ORGANISATION, org, summary=org.name,
                     after={"kind": org.kind, "name": org.name})
    return org


def update_organisation(org: Organisation, *, by, **fields) -> Organisation:
    """修改组织."""
    with transaction.atomic():
        org = Organisation.objects.select_for_update().get(pk=org.pk)
        _check(by, "people.update_organisation", org)
        merged = clean_organisation_fields({k: getattr(org, k) for k in ORG_FIELDS} | fields)
        if "place" in fields:
            _check(by, "people.update_organisation", fields["place"])
        if merged.get("uscc") and Organisation.objects.filter(uscc=merged["uscc"]).exclude(pk=org.pk).exists():
            raise ValidationError({"uscc": _("该统一社会信用代码已登记")}, code="duplicate_uscc")
        before, after = {}, {}
        for key in ORG_FIELDS:
            if key in fields and getattr(org, key) != merged[key]:
                before[key], after[key] = plain(getattr(org, key)), plain(merged[key])
                setattr(org, key, merged[key])
        if not after:
            return org
        org.save()
        Event.record(by, Verb.UPDATE_ORGANISATION, org, summary=org.name, before=before, after=after)
    return org


def appoint_position(
    person: Person, *, organisation: Organisation, title: str, place: Place, by,
    start_date: datetime.date | None = None, end_date: datetime.date | None = None,
) -> Position:
    """任职 — a cross-appointment is simply another Position of the same person."""
    start_date = start_date or timezone.localdate()
    if title not in Title.values:
        raise ValidationError({"title": _("职务无效")})
    if end_date is not None and end_date < start_date:
        raise ValidationError({"end_date": _("结束日期不能早于开始日期")})
    if not place.path.startswith(organisation.place.path) and not organisation.place.path.startswith(place.path):
        if organisation.kind not in (OrgKind.PROPERTY_COMPANY, OrgKind.DEPARTMENT, OrgKind.SOCIAL_ORGANISATION,
                                     OrgKind.VOLUNTEER_TEAM, OrgKind.ALLIANCE):
            raise ValidationError({"place": _("负责范围必须在组织所在区域之内")})
    with transaction.atomic():
        _check(by, "people.appoint_position", place)
        _check(by, "people.update_person", person)
        position = Position.objects.create(person=person, organisation=organisation, title=title, place=place,
                                           start_date=start_date, end_date=end_date)
        bump_scope_versions([person.pk])
        Event.record(by, Verb.APPOINT_POSITION, position, place=place, summary=str(position),
                     after={"person": person.pk, "organisation": organisation.pk, "title": title,
                            "place": place.pk})
    return position


def end_position(position: Position, *, by, end_date: datetime.date | None = None) -> Position:
    """离任."""
    end_date = end_date or timezone.localdate()
    with transaction.atomic():
        position = Position.objects.select_for_update().get(pk=position.pk)
        _check(by, "people.end_position", position)
        if position.end_date is not None and position.end_date <= end_date:
            return position
        if end_date < position.start_date:
            raise ValidationError({"end_date": _("结束日期不能早于开始日期")})
        before = {"end_date": plain(position.end_date)}
        position.end_date = end_date
        position.save(update_fields=["end_date", "updated_at"])
        bump_scope_versions([position.person_id])
        Event.record(by, Verb.END_POSITION, position, summary=str(position), before=before,
                     after={"end_date": end_date.isoformat()})
    return position


SHARE_PLACES = Decimal("0.0001")  # HouseholdMember.share: 4 decimal places
MEMBER_COLUMNS = {"relation": "关系", "share": "产权份额", "registered_area": "登记面积"}  # the import's columns


def clean_member_fields(fields: dict) -> dict:
    """户成员 checks shared by the member forms and the household import (``people.imports``): relation,
    share (0 < share ≤ 1, at most 4 decimals; empty is 1) and the household's registered area (the import's
    ``places.imports.area_of``: empty, or a number ≥ 0 below 10⁸, kept to 0.01 ㎡). Returns normalised values."""
    errors: dict[str, str] = {}
    out = dict(fields)
    if "relation" in fields and fields["relation"] not in Relation.values:
        errors["relation"] = _("关系应为：业主、租户或住户")
    if "share" in fields:
        raw = "" if fields["share"] is None else str(fields["share"]).strip()
        try:
            share = Decimal(raw) if raw else Decimal(1)
            if not (share.is_finite() and Decimal(0) < share <= Decimal(1)):
                raise InvalidOperation
        except InvalidOperation:
            errors["share"] = _("产权份额必须大于0且不超过1")
        else:
            if share != share.quantize(SHARE_PLACES):
                errors["share"] = _("产权份额最多保留四位小数")
            out["share"] = share
    if "registered_area" in fields:
        raw = "" if fields["registered_area"] is None else str(fields["registered_area"]).strip()
        problems: list = []
        out["registered_area"] = area_of(raw, 0, MEMBER_COLUMNS["registered_area"], problems)
        if problems:
            errors["registered_area"] = problems[0].message
    if errors:
        raise ValidationError(errors)
    return out


def _household_facts(household: Place, fields: dict) -> tuple[dict, dict]:
    """Write the household's registered area when the member form set it: (before, after) for the Event."""
    if "registered_area" not in fields or fields["registered_area"] == household.registered_area:
        return {}, {}
    before, after = {"registered_area": plain(household.registered_area)}, {"registered_area": plain(
        fields["registered_area"])}
    Place.objects.filter(pk=household.pk).update(registered_area=fields["registered_area"])
    household.registered_area = fields["registered_area"]
    return before, after


def _one_representative(member: HouseholdMember) -> None:
    """共有人代表: one per household, and only an owner; naming one clears the others."""
    if member.is_representative:
        HouseholdMember.objects.filter(place_id=member.place_id, is_representative=True).exclude(
            pk=member.pk).update(is_representative=False)


def add_household_member(
    household: Place, person: Person, *, relation: str, by, share: Decimal | str | None = Decimal(1),
    is_representative: bool = False, **area,
) -> HouseholdMember:
    """登记户成员 (owner / tenant / resident). ``registered_area=`` (optional) sets the household's 登记面积.
    Registering a tie that had ended opens it again."""
    if household.kind != Kind.HOUSEHOLD:
        raise ValidationError({"place": _("只能登记到户")})
    fields = clean_member_fields({"relation": relation, "share": share, **area})
    if is_representative and relation != Relation.OWNER:
        raise ValidationError({"is_representative": _("只有业主可以作为共有人代表")})
    with transaction.atomic():
        _check(by, "people.add_household_member", household)
        household = Place.objects.select_for_update().get(pk=household.pk)
        member, created = HouseholdMember.objects.get_or_create(
            place=household, person=person, relation=relation,
            defaults={"share": fields["share"], "is_representative": is_representative},
        )
        reopened = not created and member.end_date is not None and member.end_date < timezone.localdate()
        if reopened:
            member.end_date, member.start_date = None, timezone.localdate()
            member.share, member.is_representative = fields["share"], is_representative
            member.save(update_fields=["end_date", "start_date", "share", "is_representative", "updated_at"])
        _before, area_after = _household_facts(household, fields)
        if created or reopened:
            _one_representative(member)
            bump_scope_versions([person.pk])
            Event.record(by, Verb.ADD_HOUSEHOLD_MEMBER, member, place=household, summary=str(member),
                         after={"person": person.pk, "relation": relation, "share": str(fields["share"]),
                                "is_representative": is_representative, **area_after})
    return member


def update_household_member(member: HouseholdMember, *, by, **fields) -> HouseholdMember:
    """修改户成员: relation, share, 共有人代表, and the household's registered area."""
    allowed = {"relation", "share", "is_representative", "registered_area"}
    fields = clean_member_fields({k: v for k, v in fields.items() if k in allowed})
    with transaction.atomic():
        member = HouseholdMember.objects.select_for_update(of=("self",)).select_related("place", "person").get(pk=member.pk)
        _check(by, "people.update_household_member", member.place)
        household = Place.objects.select_for_update().get(pk=member.place_id)
        relation = fields.get("relation", member.relation)
        representative = fields.get("is_representative", member.is_representative)
        if representative and relation != Relation.OWNER:
            raise ValidationError({"is_representative": _("只有业主可以作为共有人代表")})
        if relation != member.relation and HouseholdMember.objects.filter(
                place_id=member.place_id, person_id=member.person_id, relation=relation).exists():
            raise ValidationError({"relation": _("该人员在本户已有这一关系的登记")})
        before: dict[str, object] = {}
        after: dict[str, object] = {}
        for key in ("relation", "share", "is_representative"):
            if key in fields and getattr(member, key) != fields[key]:
                before[key], after[key] = plain(getattr(member, key)), plain(fields[key])
                setattr(member, key, fields[key])
        area_before, area_after = _household_facts(household, fields)
        if not after and not area_after:
            return member
        if after:
            member.save(update_fields=[*after, "updated_at"])
            _one_representative(member)
        Event.record(by, Verb.UPDATE_HOUSEHOLD_MEMBER, member, place=household, summary=str(member),
                     before={**before, **area_before}, after={**after, **area_after})
    return member


def end_household_member(member: HouseholdMember, *, by, end_date: datetime.date | None = None) -> HouseholdMember:
    """迁出 / 结束户成员登记: the tie stays on record with its end date; the person's scopes follow."""
    end_date = end_date or timezone.localdate()
    with transaction.atomic():
        member = HouseholdMember.objects.select_for_update(of=("self",)).select_related("place", "person").get(pk=member.pk)
        _check(by, "people.end_household_member", member.place)
        if member.end_date is not None and member.end_date <= end_date:
            return member
        if end_date < member.start_date:
            raise ValidationError({"end_date": _("结束日期不能早于开始日期")})
        before = {"end_date": plain(member.end_date), "is_representative": member.is_representative}
        member.end_date, member.is_representative = end_date, False
        member.save(update_fields=["end_date", "is_representative", "updated_at"])
        bump_scope_versions([member.person_id])
        Event.record(by, Verb.END_HOUSEHOLD_MEMBER, member, place=member.place, summary=str(member),
                     before=before, after={"end_date": end_date.isoformat(), "is_representative": False})
    return member


def register_household_member(household: Place, *, by, person_fields: dict, member_fields: dict) -> HouseholdMember:
    """户成员 → 添加: the person named by ``person_fields`` (found by ID number, as the import does, or newly
    registered at the household) joins the household, in one transaction: nothing is written unless both
    steps pass. Writes the steps' own Events (新建人员 when the person is new, 登记户成员)."""
    clean_member_fields(member_fields)  # refuse bad member input before anyone is created
    fields = clean_person_fields(person_fields)
    id_number = fields.get("id_number") or ""
    with transaction.atomic():
        _check(by, "people.add_household_member", household)
        person = Person.objects.filter(id_number_index=crypto.blind_index(id_number)).first() if id_number else None
        if person is not None and person.name != fields["name"]:
            raise ValidationError({"id_number": _("该身份证号码已登记为另一姓名，请核对姓名和号码")})
        if person is None:
            person = create_person(by=by, place=household, **fields)
        return add_household_member(household, person, by=by, **member_fields)


# ---------------------------------------------------------------- API tokens (one's own)

MAX_TOKEN_NAME = 60


def _home_place_of(user):
    """The place of the account's person (for the scoped audit page), if it has one."""
    person = Person.objects.filter(user=user).only("place_id").first()
    return Place(pk=person.place_id) if person else None


def issue_api_token(user, *, name: str, by, scope: str = ApiToken.Scope.READ,
                    days: int = DEFAULT_TOKEN_DAYS) -> tuple[ApiToken, str]:
    """签发 API 令牌 for ``user`` with a scope (只读 unless asked for 读写) and a lifetime of ``days`` (one of
    :data:`TOKEN_DAYS`): returns the row and the key, which is shown once and never stored or logged (only its
    hash is kept). ``by=SYSTEM`` is the operator's ``manage.py issue_api_token``."""
    if scope not in ApiToken.Scope.values:
        raise ValidationError({"scope": _("请选择令牌权限")})
    if days not in TOKEN_DAYS:
        raise ValidationError({"days": _("有效期只能是%(d)s天") % {"d": "、".join(map(str, TOKEN_DAYS))}})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写令牌名称，例如用途或对接系统")})
    if len(name) > MAX_TOKEN_NAME:
        raise ValidationError({"name": _("名称不能超过%(n)s个字") % {"n": MAX_TOKEN_NAME}})
    if not user.is_active:
        raise ValidationError({"user": _("该账号已停用")})
    with transaction.atomic():
        _check(by, "people.issue_api_token", user)
        token, key = ApiToken.issue(user, name, scope=scope,
                                    expires_at=timezone.now() + datetime.timedelta(days=days))
        Event.record(by, Verb.ISSUE_API_TOKEN, token, place=_home_place_of(user),
                     summary=f"{user.get_username()} · {name}",
                     after={"user": user.pk, "name": name, "prefix": token.prefix, "scope": scope, "days": days})
    return token, key


def revoke_api_token(token: ApiToken, *, by) -> None:
    """吊销 API 令牌 — the row goes, so the key stops working at once."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update(of=("self",)).select_related("user").get(pk=token.pk)
        _check(by, "people.revoke_api_token", token)
        Event.record(by, Verb.REVOKE_API_TOKEN, token, place=_home_place_of(token.user),
                     summary=f"{token.user.get_username()} · {token.name}",
                     before={"user": token.user_id, "name": token.name, "prefix": token.prefix})
        token.delete()
