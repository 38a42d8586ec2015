"""A page number or offset larger than any list: past the end, never an OFFSET the database cannot hold
(PostgreSQL: bigint out of range; SQLite: OverflowError)."""

import pytest

from gongzhi.core.pagination import MAX_PAGE, DeferredPaginator, OneQueryPaginator
from gongzhi.places.models import Place


@pytest.mark.parametrize("url", [
    "/places/households/?page=999999999999999999999",
    "/places/households/?page=99999999999999999999&q=10",
    "/requests/?page=99999999999999999999",
    "/people/?page=99999999999999999999",
    "/audit/?page=99999999999999999999",
])
def test_a_huge_page_number_shows_the_last_page(client, tree, superuser, url):
    client.force_login(superuser)
    assert client.get(url).status_code == 200


def test_a_huge_page_number_serves_the_last_page(tree):
    qs = Place.objects.order_by("path")
    total = qs.count()
    for paginator in (OneQueryPaginator(qs, 5), DeferredPaginator(qs, 5, load=lambda pks: qs.filter(pk__in=pks))):
        page = paginator.get_page(str(10**20))
        assert (page.number, page.paginator.count) == (paginator.num_pages, total)
        assert len(page.object_list) == total - 5 * (paginator.num_pages - 1)


def test_a_page_beyond_the_bound_reads_no_rows(tree, django_assert_num_queries):
    paginator = OneQueryPaginator(Place.objects.order_by("path"), 5)
    with django_assert_num_queries(2) as captured:  # the count, then the last page; never the page asked for
        page = paginator.get_page(MAX_PAGE + 1)
        rows = list(page.object_list)
    assert page.number == paginator.num_pages and len(rows) == Place.objects.count() - 5 * (page.number - 1)
    assert not any(str(MAX_PAGE * 5) in q["sql"] for q in captured.captured_queries)


@pytest.mark.parametrize("endpoint", ["/api/places", "/api/persons", "/api/organisations", "/api/requests",
                                      "/api/votes"])
@pytest.mark.parametrize(("query", "field", "status"), [
    ("offset=99999999999999999999", "offset", 422),
    ("offset=1000000001", "offset", 422),
    ("offset=-1", "offset", 422),
    ("limit=99999999999999999999", "limit", 422),
    ("limit=0", "limit", 422),
    ("offset=1000000000", None, 200),
])
def test_api_offset_and_limit_are_bounded(client, tree, superuser, endpoint, query, field, status):
    client.force_login(superuser)
    r = client.get(f"{endpoint}?{query}")
    assert r.status_code == status
    if field:
        assert [d["loc"] for d in r.json()["detail"]] == [["query", field]]
    else:
        assert r.json()["items"] == []
