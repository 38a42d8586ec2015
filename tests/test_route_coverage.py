"""Every route has a role-matrix case, or a reason it has none.

The routes come from Django's URL resolver (recursively through includes) and, for the JSON API, from the
ninja routers (path × method). A case covers the route its URL resolves to (``django.urls.resolve``), so a
new route, or a case that stops reaching its route, shows up here by name.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver, resolve

from .matters.test_matters_matrix import MATTER_CASES
from .meetings.test_matrix_pages import MEETING_CASES
from .test_permissions_matrix import CASES
from .workorders.test_matrix_pages import WORKORDER_CASES

MATRICES = {"tests/test_permissions_matrix.py": CASES, "tests/workorders/test_matrix_pages.py": WORKORDER_CASES,
            "tests/meetings/test_matrix_pages.py": MEETING_CASES, "tests/matters/test_matters_matrix.py": MATTER_CASES}

EXEMPT = {
    "accounts/login/": "the sign-in page: no role yet (tests/test_accounts.py)",
    "accounts/logout/": "signing out ends whatever role one had (tests/test_accounts.py)",
    "healthz": "liveness probe for the load balancer, no data",
    "i18n/setlang/": "Django's language switch, no data",
    "api/": "ninja's API root, no data",
    "admin/": "Django admin, superusers only (gongzhi/urls.py: admin.site.has_permission)",
    "media/(?P<path>.*)$": "uploaded files served only with DEBUG on",
}

ANY = "*"  # a Django view answers every method itself; API path operations are per method


def django_routes(patterns=None, prefix=""):
    """(route, name) for every URL pattern, includes walked; ninja path operations are left to api_routes()."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(p.pattern).removeprefix("^")  # as ResolverMatch.route joins them
        if isinstance(p, URLResolver):
            if route == "admin/":
                yield route, "admin"
                continue
            yield from django_routes(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            if getattr(p.callback, "__module__", "") == "ninja.operation":
                continue
            yield route, p.name


def api_routes():
    """(METHOD, route) for every path operation of every router of the ninja API, as Django resolves it."""
    from gongzhi.api import api

    api_prefix = next(str(p.pattern) for p in get_resolver().url_patterns
                      if isinstance(p, URLResolver) and p.namespace == api.urls_namespace)
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            parts = [part.strip("/") for part in (prefix, path)]
            route = api_prefix + "/".join(p for p in parts if p).replace("{", "<").replace("}", ">")
            for operation in view.operations:
                for method in operation.methods:
                    yield method.upper(), route


def all_routes() -> set[tuple[str, str]]:
    routes = {(ANY, route) for route, _name in django_routes()} | set(api_routes())
    return routes


class Stand:
    """Stands in for the objects a case's URL is built from: every id is 1. Which route a URL resolves to does
    not depend on the ids in it, and the matrix tests themselves request the URLs with real objects."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Stand()

    def __getitem__(self, key):
        return Stand()

    def __format__(self, spec):
        return "1"

    __str__ = __repr__ = lambda self: "1"


def covered_by(case, world=None) -> tuple[str, str]:
    path = case.url(world or Stand()).split("?")[0]
    match = resolve(path)
    route = match.route
    if getattr(match.func, "__module__", "") == "ninja.operation":
        return case.method.upper(), route
    return ANY, route


def test_every_route_has_a_matrix_case_or_a_reason():
    world = Stand()
    covered: dict[tuple[str, str], list[str]] = {}
    for module, cases in MATRICES.items():
        for case in cases:
            covered.setdefault(covered_by(case, world), []).append(f"{module}: {case.id}")
    routes = all_routes()
    missing = sorted(r for r in routes if r not in covered and r[1] not in EXEMPT)
    assert not missing, "routes with no role-matrix case and no EXEMPT reason:\n" + "\n".join(
        f"  {method} {route}" for method, route in missing)


def test_exemptions_and_cases_name_real_routes():
    """An EXEMPT entry for a route that is gone, or a case whose URL no longer reaches a route we list, is stale."""
    routes = all_routes()
    names = {route for _method, route in routes}
    assert sorted(set(EXEMPT) - names - {"media/(?P<path>.*)$"}) == []
    world = Stand()
    strays = [case.id for cases in MATRICES.values() for case in cases if covered_by(case, world) not in routes]
    assert strays == []


def test_the_api_walk_matches_the_resolver():
    """The API walk yields the same routes Django resolves to, so an API case can cover its operation."""
    from gongzhi.api import api

    resolved = set()
    for p in get_resolver().url_patterns:
        if isinstance(p, URLResolver) and p.namespace == api.urls_namespace:
            resolved = {str(p.pattern) + str(q.pattern) for q in p.url_patterns
                        if getattr(q.callback, "__module__", "") == "ninja.operation"}
    assert resolved and {route for _m, route in api_routes()} == resolved
