"""Login accounts (登录账号) of people: the actions that open, reset, stop and start them, and the one-time
verification codes (验证码) that activate an account or reset a forgotten password.

Every function here is an action (one transaction, the right checked inside with ``require``, one audit
Event). The codes reach the account's phone through the outside channels of :mod:`gongzhi.notices`, which sits
a layer above people and plugs itself in with :func:`register_code_sender`; they never go to the in-app inbox
and only their hash is stored. Creating an account grants nothing: rights still come only from posts.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from axes.utils import reset as axes_reset
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from gongzhi.core import crypto
from gongzhi.core.masking import mask_phone
from gongzhi.core.middleware import client_ip
from gongzhi.core.models import Event
from gongzhi.core.permissions import require
from gongzhi.core.validators import clean_phone

from .auth import account_for
from .events import Verb
from .models import CodePurpose, Person, VerificationCode

logger = logging.getLogger("gongzhi.people")

CODE_LENGTH = 6
CODE_TTL: dict[str, datetime.timedelta] = {CodePurpose.ACTIVATE: datetime.timedelta(hours=24),
                                           CodePurpose.RESET: datetime.timedelta(minutes=10),
                                           CodePurpose.INTAKE: datetime.timedelta(minutes=10)}
MAX_ATTEMPTS = 5  # wrong entries of one code; then a new code is needed
RESEND_AFTER = datetime.timedelta(seconds=60)  # per phone
MAX_PER_HOUR_PHONE = 5
MAX_PER_HOUR_IP = 20
HOUR = datetime.timedelta(hours=1)

# How a code reaches a phone: ``sender(user_id=, text=, link=, phone="")``, called inside the action's transaction
# (the sender waits for the commit); ``user_id=None`` with a ``phone``: a phone without an account (QR intake).
# :mod:`gongzhi.notices` registers its outside channels here.
CODE_SENDERS: list[Callable[..., None]] = []


def register_code_sender(sender: Callable[..., None]) -> None:
    if sender not in CODE_SENDERS:
        CODE_SENDERS.append(sender)


def _send_code(user, text: str, link: str) -> None:
    if not CODE_SENDERS:
        logger.warning("no code sender registered: the verification code for user %s was not sent", user.pk)
    for sender in CODE_SENDERS:
        sender(user_id=user.pk, text=text, link=link)


# ---------------------------------------------------------------- codes


def _send_code_to_phone(phone: str, text: str, link: str) -> None:
    if not CODE_SENDERS:
        logger.warning("no code sender registered: the verification code for a phone was not sent")
    for sender in CODE_SENDERS:
        sender(user_id=None, phone=phone, text=text, link=link)


def _check_send_limits(phone_index: str, purpose: str, ip: str | None, now) -> None:
    """Rate limits on sending, per phone and purpose: the same whether or not the phone has an account (an
    activation code sent by staff does not hold back a 忘记密码 code, which would tell that it has one); ``ip`` (signed-out requests
    only: staff opening many accounts from one office are limited per phone) adds a limit per address."""
    recent = VerificationCode.objects.filter(phone_index=phone_index, purpose=purpose, created_at__gt=now - HOUR)
    last = recent.order_by("-created_at").values_list("created_at", flat=True).first()
    if last is not None and now - last < RESEND_AFTER:
        wait = int((RESEND_AFTER - (now - last)).total_seconds()) + 1
        raise ValidationError({"phone": _("验证码发送过于频繁，请 %(n)s 秒后再试") % {"n": wait}},
                              code="rate_limited")
    too_many = recent.count() >= MAX_PER_HOUR_PHONE or (
        ip is not None
        and VerificationCode.objects.filter(ip=ip, purpose=purpose, created_at__gt=now - HOUR).count()
        >= MAX_PER_HOUR_IP)
    if too_many:
        raise ValidationError({"phone": _("验证码发送次数过多，请一小时后再试")}, code="rate_limited")


def _issue_code(user, *, purpose: str, phone: str, now, per_ip: bool = False) -> str:
    """A fresh code for ``phone`` (older unused ones of the same purpose stop working); returns it in clear
    for the message only. ``user=None`` writes a row that can never be redeemed (忘记密码 for an unknown phone)."""
    phone_index = crypto.blind_index(phone)
    ip = client_ip.get()
    _check_send_limits(phone_index, purpose, ip if per_ip else None, now)
    VerificationCode.objects.filter(phone_index=phone_index, purpose=purpose, used_at__isnull=True).update(
        used_at=now)
    if user is not None:
        VerificationCode.objects.filter(user=user, purpose=purpose, used_at__isnull=True).update(used_at=now)
    code = get_random_string(CODE_LENGTH, allowed_chars="0123456789")
    VerificationCode.objects.create(user=user, purpose=purpose, phone_index=phone_index,
                                    code_hash=make_password(code), ip=ip, created_at=now,
                                    expires_at=now + CODE_TTL[purpose])
    return code


def _minutes(purpose: str) -> int:
    return int(CODE_TTL[purpose].total_seconds() // 60)


def _send_activation(user, person: Person, *, now) -> None:
    code = _issue_code(user, purpose=CodePurpose.ACTIVATE, phone=person.phone, now=now)
    link = reverse("activate_account") + "?" + urlencode({"username": user.get_username()})
    _send_code(user, _("【共治】您的登录账号已开通，用户名：%(u)s，激活验证码：%(c)s，%(h)s 小时内有效。"
                       "请打开“激活账号”页面，输入验证码并设置密码。工作人员不会向您索要验证码。") % {
        "u": user.get_username(), "c": code, "h": _minutes(CodePurpose.ACTIVATE) // 60}, link)


class CodeRefused(ValidationError):
    """A wrong, used up or expired code: raised after the attempt has been counted and audited (committed)."""


def _redeem(row: VerificationCode | None, code: str, password: str, *, verb: str):
    """Check ``code`` against the locked ``row`` and, when it is right, set ``password`` (Django's validators)
    and use the code up. A wrong code counts an attempt and writes a 验证码错误 Event; the caller commits that
    and raises :class:`CodeRefused` (a ValidationError naming ``code``)."""
    now = timezone.now()
    if row is None or row.used_at is not None or row.expires_at <= now:
        return CodeRefused({"code": _("验证码错误或已过期，请重新获取")})
    if row.attempts >= MAX_ATTEMPTS:
        return CodeRefused({"code": _("验证码输错次数过多，请重新获取")})
    # a row without a user (忘记密码 for a phone with no account) is refused exactly like a wrong code
    if not check_password((code or "").strip(), row.code_hash) or row.user_id is None:
        VerificationCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        holder = Person.objects.filter(user_id=row.user_id).first() if row.user_id else None
        Event.record(None, Verb.REJECT_CODE, holder,
                     summary=row.get_purpose_display(), after={"attempts": row.attempts + 1})
        left = MAX_ATTEMPTS - row.attempts - 1
        return CodeRefused({"code": _("验证码错误，还可再试 %(n)s 次") % {"n": left} if left else
                            _("验证码输错次数过多，请重新获取")})
    user = get_user_model().objects.select_for_update().get(pk=row.user_id)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:  # the code stays usable: only the password has to change
        raise ValidationError({"new_password1": exc.messages}) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    VerificationCode.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    person = user.person if _has_person(user) else None
    if person is not None and crypto.blind_index(person.phone) == row.phone_index:
        # the code reached the person's phone: the account holds it (docs/privacy.md, the phone-owner rule)
        Person.objects.filter(pk=person.pk).update(verified_phone_index=row.phone_index)
    for name in {user.get_username(), person.phone if person is not None else ""} - {""}:
        axes_reset(username=name)  # a sign-in lockout (django-axes) ends with the new password
    Event.record(user, verb, person, summary=user.get_username(), after={"username": user.get_username()})
    return user


def _has_person(user) -> bool:
    return user is not None and Person.objects.filter(user=user).exists()


def _finish(outcome):
    if isinstance(outcome, CodeRefused):
        raise outcome
    return outcome


# ---------------------------------------------------------------- accounts, by the staff who manage them


def _account_person(person: Person, by) -> Person:
    person = Person.objects.select_for_update(of=("self",)).select_related("user", "place").get(pk=person.pk)
    require(by, "people.manage_account", person)
    return person


def clean_username(value: str, person: Person) -> str:
    """The account's username: the given one, or the person's phone. A phone number as a username must be the
    person's own (sign-in tries the username first, then the phone)."""
    User = get_user_model()
    username = (value or "").strip() or person.phone
    if len(username) > 150:
        raise ValidationError({"username": _("用户名不能超过150个字符")})
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise ValidationError({"username": _("用户名只能包含字母、数字、汉字和 @ . + - _")}) from exc
    try:
        as_phone = clean_phone(username)
    except ValidationError:
        as_phone = None
    if as_phone is not None and as_phone != person.phone:
        raise ValidationError({"username": _("用户名不能是其他人的手机号")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("该用户名已被使用")})
    return username


def create_account(person: Person, *, by, username: str = ""):
    """开通登录账号 for a person: a user with no usable password, linked to the person; an activation code goes
    to the person's phone. Grants no post and no staff or admin flag."""
    now = timezone.now()
    with transaction.atomic():
        person = _account_person(person, by)
        if person.user_id is not None:
            raise ValidationError({"username": _("该人员已有登录账号")})
        if not person.phone:
            raise ValidationError({"phone": _("请先为该人员登记手机号：激活验证码会发送到这个手机号")})
        if Person.objects.filter(phone=person.phone, user__isnull=False).exclude(pk=person.pk).exists():
            raise ValidationError({"phone": _("该手机号已用于另一个登录账号，不能再接收本账号的验证码")})
        username = clean_username(username, person)
        try:
            with transaction.atomic():
                user = get_user_model().objects.create_user(username=username, password=None)
        except IntegrityError as exc:  # the same username opened at the same moment
            raise ValidationError({"username": _("该用户名已被使用")}) from exc
        person.user = user
        person.save(update_fields=["user", "updated_at"])
        _send_activation(user, person, now=now)
        Event.record(by, Verb.CREATE_ACCOUNT, person, summary=username,
                     after={"username": username, "phone": mask_phone(person.phone)})
    return user


def reset_account(person: Person, *, by):
    """重置登录账号: the password stops working (and with it every session), and a new activation code goes to
    the person's phone."""
    now = timezone.now()
    with transaction.atomic():
        person = _account_person(person, by)
        user = person.user
        if user is None:
            raise ValidationError({"username": _("该人员还没有登录账号")})
        if not user.is_active:
            raise ValidationError({"username": _("账号已停用，请先启用")})
        if not person.phone:
            raise ValidationError({"phone": _("请先为该人员登记手机号：激活验证码会发送到这个手机号")})
        user.set_unusable_password()
        user.save(update_fields=["password"])
        _send_activation(user, person, now=now)
        Event.record(by, Verb.RESET_ACCOUNT, person, summary=user.get_username(),
                     after={"username": user.get_username(), "phone": mask_phone(person.phone)})
    return user


def _set_active(person: Person, *, by, active: bool, verb: str):
    with transaction.atomic():
        person = _account_person(person, by)
        user = person.user
        if user is None:
            raise ValidationError({"username": _("该人员还没有登录账号")})
        if not active and getattr(by, "pk", None) == user.pk:
            raise ValidationError({"username": _("不能停用自己的账号")})
        if user.is_active == active:
            return user
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:
            VerificationCode.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
        Event.record(by, verb, person, summary=user.get_username(),
                     before={"is_active": not active}, after={"is_active": active})
    return user


def deactivate_account(person: Person, *, by):
    """停用登录账号: sign-in, sessions and API tokens stop working at once; pending codes are void."""
    return _set_active(person, by=by, active=False, verb=Verb.DEACTIVATE_ACCOUNT)


def reactivate_account(person: Person, *, by):
    """启用登录账号 (after 停用): the old password works again; an account never activated still needs its code."""
    return _set_active(person, by=by, active=True, verb=Verb.REACTIVATE_ACCOUNT)


# ---------------------------------------------------------------- the account holder, signed out


def activate_account(*, username: str, code: str, password: str):
    """激活账号: the code sent when the account was opened (or reset) and a new password that passes
    ``AUTH_PASSWORD_VALIDATORS``. ``username`` may also be the phone number."""
    username = (username or "").strip()
    with transaction.atomic():
        user = account_for(username)  # the username, or any spelling of the one account's phone
        row = None
        if user is not None and user.is_active:
            row = (VerificationCode.objects.select_for_update()
                   .filter(user=user, purpose=CodePurpose.ACTIVATE, used_at__isnull=True)
                   .order_by("-created_at", "-pk").first())
        outcome = _redeem(row, code, password, verb=Verb.ACTIVATE_ACCOUNT)
    return _finish(outcome)


def request_password_reset(*, phone: str) -> None:
    """忘记密码: send a code to ``phone`` when exactly one active account signs in with it. The answer, the work
    done and the sending limits are the same whether or not it does, so the page tells nobody which phones have
    accounts; the audit log does (for the street's auditors)."""
    try:
        phone = clean_phone(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages[0]}) from exc
    now = timezone.now()
    with transaction.atomic():
        users = list(get_user_model().objects.filter(person__phone=phone, is_active=True)[:2])
        user = users[0] if len(users) == 1 else None
        code = _issue_code(user, purpose=CodePurpose.RESET, phone=phone, now=now, per_ip=True)
        person = Person.objects.filter(user=user).first() if user is not None else None
        Event.record(None, Verb.REQUEST_PASSWORD_RESET, person, summary=mask_phone(phone),
                     after={"phone": mask_phone(phone), "account": user is not None})
        if user is not None:
            _send_code(user, _("【共治】您正在找回密码，验证码：%(c)s，%(m)s 分钟内有效。如非本人操作，请忽略本短信。"
                               "工作人员不会向您索要验证码。") % {"c": code, "m": _minutes(CodePurpose.RESET)},
                       reverse("password_reset_confirm") + "?" + urlencode({"phone": phone}))


def reset_password(*, phone: str, code: str, password: str):
    """验证码重设密码: the latest 忘记密码 code sent to ``phone`` and a new password."""
    try:
        phone = clean_phone(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages[0]}) from exc
    with transaction.atomic():
        row = (VerificationCode.objects.select_for_update(of=("self",))
               .filter(phone_index=crypto.blind_index(phone), purpose=CodePurpose.RESET, used_at__isnull=True)
               .select_related("user").order_by("-created_at", "-pk").first())
        if row is not None and row.user is not None and not row.user.is_active:
            row = None
        outcome = _redeem(row, code, password, verb=Verb.RESET_PASSWORD)
    return _finish(outcome)


# ---------------------------------------------------------------- a phone without an account (QR intake)


def _clean_phone_field(phone: str) -> str:
    try:
        return clean_phone(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages[0]}) from exc


def send_phone_code(*, phone: str, purpose: str = CodePurpose.INTAKE, place=None) -> None:
    """发送手机验证码 to a phone that may have no account (扫码反映问题): the same codes, lifetimes, attempts and
    sending limits as the account codes — per phone, and per client address — delivered through the outside
    channels to the phone itself. The code proves that whoever files holds the phone; no account is made.
    ``place`` (the scanned building) is where the audit log files the sending, for the staff over it."""
    if purpose != CodePurpose.INTAKE:
        raise ValueError(purpose)
    phone = _clean_phone_field(phone)
    now = timezone.now()
    with transaction.atomic():
        code = _issue_code(None, purpose=purpose, phone=phone, now=now, per_ip=True)
        Event.record(None, Verb.SEND_PHONE_CODE, place=place, summary=mask_phone(phone),
                     after={"phone": mask_phone(phone), "purpose": purpose})
        _send_code_to_phone(phone, _("【共治】您正在扫码反映问题，验证码：%(c)s，%(m)s 分钟内有效。如非本人操作，请忽略本短信。"
                                     "工作人员不会向您索要验证码。") % {"c": code, "m": _minutes(purpose)}, "")


def redeem_phone_code(*, phone: str, code: str, purpose: str = CodePurpose.INTAKE):
    """Check and use up the latest ``purpose`` code sent to ``phone``, inside the caller's transaction (the caller
    files what the code was for in the same one). Returns the phone's blind index, or a :class:`CodeRefused`
    after counting the wrong attempt and writing its 验证码错误 Event: the caller lets its transaction commit
    (the attempt must count) and raises it, having written nothing else."""
    phone = _clean_phone_field(phone)
    now = timezone.now()
    index = crypto.blind_index(phone)
    row = (VerificationCode.objects.select_for_update()
           .filter(phone_index=index, purpose=purpose, user__isnull=True, used_at__isnull=True)
           .order_by("-created_at", "-pk").first())
    if row is None or row.expires_at <= now:
        return CodeRefused({"code": _("验证码错误或已过期，请重新获取")})
    if row.attempts >= MAX_ATTEMPTS:
        return CodeRefused({"code": _("验证码输错次数过多，请重新获取")})
    if not check_password((code or "").strip(), row.code_hash):
        VerificationCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        Event.record(None, Verb.REJECT_CODE, summary=row.get_purpose_display(),
                     after={"attempts": row.attempts + 1, "phone": mask_phone(phone)})
        left = MAX_ATTEMPTS - row.attempts - 1
        return CodeRefused({"code": _("验证码错误，还可再试 %(n)s 次") % {"n": left} if left else
                            _("验证码输错次数过多，请重新获取")})
    VerificationCode.objects.filter(pk=row.pk).update(used_at=now)
    return index
