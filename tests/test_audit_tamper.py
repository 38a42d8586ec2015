"""The audit log is append-only whatever the path: the model's managers, a bare ``QuerySet(Event)``,
``_raw_delete``, raw SQL — the database itself refuses (triggers on PostgreSQL and SQLite). Deleting an account
never rewrites the history it made. And the recorded IP is the client's, not what the client claims in
X-Forwarded-For."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError, QuerySet
from django.test import RequestFactory

from gongzhi.core.middleware import ip_of
from gongzhi.core.models import AppendOnlyError, Event

REFUSED = (AppendOnlyError, DatabaseError)


@pytest.fixture
def event(tree, community_staff):
    return Event.record(community_staff, "core.login", summary="登录")


def refused(fn):
    with pytest.raises(REFUSED), transaction.atomic():
        fn()


def test_the_base_manager_refuses(event):
    refused(lambda: Event._base_manager.filter(pk=event.pk).update(summary="篡改"))
    refused(lambda: Event._base_manager.filter(pk=event.pk).delete())


def test_a_bare_queryset_is_refused_by_the_database(event):
    refused(lambda: QuerySet(Event).filter(pk=event.pk).update(summary="篡改"))
    refused(lambda: QuerySet(Event).filter(pk=event.pk).delete())
    refused(lambda: QuerySet(Event).filter(pk=event.pk)._raw_delete(connection.alias))


def test_raw_sql_is_refused_by_the_database(event):
    def run(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    refused(lambda: run("UPDATE core_event SET summary = 'x' WHERE id = %s"))
    refused(lambda: run("DELETE FROM core_event WHERE id = %s"))
    assert Event.objects.get(pk=event.pk).summary == "登录"


def test_deleting_an_account_does_not_rewrite_its_history(event, community_staff):
    with pytest.raises(ProtectedError), transaction.atomic():
        get_user_model().objects.filter(pk=community_staff.pk).delete()
    assert Event.objects.get(pk=event.pk).actor_id == community_staff.pk


def test_a_flush_still_empties_the_database(transactional_db):
    """The one way out: an operator's (and the test runner's) ``flush``, which empties every table."""
    Event.record(None, "core.login")
    call_command("flush", verbosity=0, interactive=False)
    assert not Event.objects.exists()
    event = Event.record(None, "core.login")  # and the protection is back
    refused(lambda: QuerySet(Event).filter(pk=event.pk).delete())


# --- the client's address ----------------------------------------------------------------------------

def request(remote="203.0.113.9", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_trusted_proxies_x_forwarded_for_is_ignored(settings):
    settings.GONGZHI_TRUSTED_PROXIES = 0
    assert ip_of(request(forwarded="1.2.3.4")) == "203.0.113.9"


@pytest.mark.parametrize("forwarded, expected", [
    ("198.51.100.7", "198.51.100.7"),                      # the proxy saw the client
    ("1.2.3.4, 198.51.100.7", "198.51.100.7"),             # the client's own claim (1.2.3.4) is skipped
    ("", "203.0.113.9"),                                   # not through the proxy: its own address
    ("not-an-ip", "203.0.113.9"),
])
def test_one_trusted_proxy_gives_the_address_it_saw(settings, forwarded, expected):
    settings.GONGZHI_TRUSTED_PROXIES = 1
    assert ip_of(request(forwarded=forwarded)) == expected


def test_two_trusted_proxies(settings):
    settings.GONGZHI_TRUSTED_PROXIES = 2
    assert ip_of(request(forwarded="6.6.6.6, 198.51.100.7, 10.0.0.2")) == "198.51.100.7"
    assert ip_of(request(forwarded="10.0.0.2")) == "203.0.113.9"


def test_the_audit_log_records_the_real_address(client, tree, grid_worker, resident, settings):
    settings.GONGZHI_TRUSTED_PROXIES = 0
    client.force_login(grid_worker)
    client.post(f"/people/{resident.person.pk}/reveal/phone/", REMOTE_ADDR="10.1.2.3",
                HTTP_X_FORWARDED_FOR="8.8.8.8")
    assert Event.objects.get(verb="core.reveal_pii").ip == "10.1.2.3"
