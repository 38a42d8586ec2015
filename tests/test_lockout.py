"""Lockout keyed on the account, not on how it was typed: every spelling of a phone number and the username of
the same account count as one, and an account is locked after many failures from any number of addresses."""

import pytest
from axes.models import AccessAttempt

from gongzhi.people.auth import lockout_key

from .conftest import PASSWORD

LOGIN = "/accounts/login/"


def spellings(phone: str) -> list[str]:
    """The ways a person types their own mobile number: 166 1234 5678, +86…, dashes, parentheses."""
    a, b, c = phone[:3], phone[3:7], phone[7:]
    return [phone, f"+86{phone}", f"+86 {a} {b} {c}", f"{a}-{b}-{c}", f"({a}) {b}-{c}", f" {phone} ",
            f"86{phone}", f"+86-{a}-{b}-{c}", f"0086 {phone}"]


@pytest.fixture
def axes_on(settings, db):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_ACCOUNT_FAILURE_LIMIT = 6
    AccessAttempt.objects.all().delete()


def fail(client, username, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": "nope"}, REMOTE_ADDR=ip)


def test_every_spelling_of_the_phone_is_the_accounts_key(resident):
    keys = {lockout_key(None, {"username": s}) for s in spellings(resident.person.phone)}
    assert keys == {lockout_key(None, {"username": "resident"})} == {"resident"}


def test_an_unknown_phone_is_one_key_whatever_its_spelling(db):
    assert len({lockout_key(None, {"username": s}) for s in spellings("16699998888")}) == 1


def test_an_unknown_name_is_its_own_key(db):
    assert lockout_key(None, {"username": " Nobody "}) == "nobody"
    assert lockout_key(None, {}) is None


def test_phone_spellings_share_one_lockout(client, axes_on, resident):
    for spelling in spellings(resident.person.phone)[:3]:
        fail(client, spelling)
    response = client.post(LOGIN, {"username": spellings(resident.person.phone)[4], "password": PASSWORD},
                           REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_locked_username_also_locks_the_phone(client, axes_on, resident):
    for _ in range(3):
        fail(client, "resident")
    response = client.post(LOGIN, {"username": resident.person.phone, "password": PASSWORD},
                           REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_from_many_addresses_lock_the_account(client, axes_on, resident):
    for i in range(6):  # two from each of three addresses: under the per-address limit every time
        fail(client, "resident" if i % 2 else resident.person.phone, ip=f"10.0.1.{i // 2}")
    response = client.post(LOGIN, {"username": "resident", "password": PASSWORD}, REMOTE_ADDR="10.0.9.9")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_another_account_is_not_locked_by_them(client, axes_on, resident, other_resident):
    for i in range(6):
        fail(client, "resident", ip=f"10.0.2.{i}")
    response = client.post(LOGIN, {"username": other_resident.username, "password": PASSWORD},
                           REMOTE_ADDR="10.0.2.0")
    assert response.status_code == 302


def test_under_the_limits_the_right_password_still_signs_in(client, axes_on, resident):
    fail(client, "resident")
    fail(client, resident.person.phone, ip="10.0.3.1")
    response = client.post(LOGIN, {"username": f"+86 {resident.person.phone}", "password": PASSWORD},
                           REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 302
