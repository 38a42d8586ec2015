"""No input gives a 5xx, and a refused write leaves no row behind.

The walk is generated, not hand-listed. Its pages and endpoints are the role-matrix cases
(``tests/test_permissions_matrix.py``, ``tests/workorders/test_matrix_pages.py``), which
``tests/test_route_coverage.py`` keeps complete: every route has a case with real objects and the roles that
reach it. For each case and each role that reaches it:

- **path parameters**: each ``<int:…>``/``<str:…>`` of the route gets every extreme value;
- **GET filters**: the query-string names the view reads (recorded from ``request.GET`` while the page is served),
  the names of the page's GET forms and of its ``?…`` links, each with every extreme value;
- **forms**: every ``<form method="post">`` of the page (inputs, selects, textareas, with the page's own values
  as defaults) and the case's own POST data, one field at a time with every extreme value. A write the page
  refuses (4xx, or the form shown again with its errors) must leave every table as it was; a write it accepts
  is followed to the page it leads to, whose forms are posted as they stand (a value accepted must not break
  the next step, e.g. announcing a vote);
- **the JSON API**: every operation of the OpenAPI schema, each query parameter and each body property with
  extreme values of its type.

Each request runs in a savepoint that is rolled back, so one data set serves the whole walk.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import traceback
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from _pytest.fixtures import FixtureFunctionDefinition
from django import forms
from django.apps import apps
from django.db import connection, transaction
from django.http import QueryDict
from django.urls import resolve

from gongzhi.workorders import actions as wo_actions

from . import test_permissions_matrix as people_matrix
from .capture import World
from .conftest import ROLES
from .meetings import test_matrix_pages as meetings_matrix
from .meetings.test_matrix_pages import MEETING_CASES
from .test_permissions_matrix import CASES, community_token, grid_post, import_job  # noqa: F401  (fixtures)
from .workorders import test_matrix_pages as wo_matrix
from .workorders.conftest import company_staff, filed, managed, png, unlocated_request, utilities  # noqa: F401  (fixtures)
from .workorders.test_matrix_pages import (  # noqa: F401  (fixtures)  # noqa: F401  (fixtures)
    WORKORDER_CASES,
    compound_staff,
    duty,
    estate,
    level,
    open_ballot,
    photo,
    rule,
    second,
    vote,
    whistle,
)

# every fixture the matrices' cases build their URLs from (a fixture added there is used here too)
for _module in (people_matrix, wo_matrix, meetings_matrix):
    for _name, _value in vars(_module).items():
        if isinstance(_value, FixtureFunctionDefinition):
            globals().setdefault(_name, _value)

# ---------------------------------------------------------------- the extreme values

HUGE = "99999999999999999999"  # above 2^63
VALUES = [
    HUGE, "2147483648", "-1", "0", "1.5", "abc", "0001-01-01", "9999-12-31", "2026-02-30", "2026-99-99",
    "0001-01", "9999-12", "2026-13", "0001", "9999-12-31T23:59",
]
# a field whose form class the page's context names gets the values of its kind; any other field all of them
INT_VALUES = [HUGE, "9223372036854775808", "2147483648", "-1", "-99999999999999999999", "0", "1.5", "1e400", "abc"]
DATE_VALUES = ["0001-01-01", "9999-12-31", "2026-02-30", "2026-99-99", "abc", HUGE]
DATETIME_VALUES = ["0001-01-01T00:00", "9999-12-31T23:59", "2026-02-30T10:00", "0001-01-01", "9999-12-31", HUGE]
CHOICE_VALUES = [HUGE, "2147483648", "-1", "abc"]
TEXT_VALUES = [HUGE, "-1", "9999-12-31", "2026-02-30"]
JSON_INTS: list = [10**20, 2**63, 2**31, -1, -(10**20), 1.5, "abc", HUGE]
JSON_DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "2026-99-99", "abc"]
JSON_DATETIMES = ["0001-01-01T00:00:00", "9999-12-31T23:59:59", "9999-12-31T23:59:59-14:00", "2026-02-30T10:00:00"]
JSON_STRINGS = [HUGE, "-1", "0001-01-01", "2026-02-30", "9999-12"]

# the API parses before it asks who one is: two of the roles that reach an operation are enough
API_ROLES = 2

# pages whose forms end the walk's session or its language: their own tests cover them
SKIP_ACTIONS = ("/accounts/logout/", "/i18n/", "/accounts/login/")


# ---------------------------------------------------------------- one data set: requests in their own states
# (the matrix's fixtures move one request through its states; the walk needs them side by side)


def _new_request(places, by, category):
    return wo_actions.file_request(by=by, category=category, description="厨房水管漏水", place=places["household"])


@pytest.fixture
def dispatched(tree, resident, utilities, managed, community_staff):  # noqa: F811
    return wo_actions.dispatch_request(_new_request(tree, resident, utilities), to=managed, by=community_staff)


@pytest.fixture
def pooled(tree, resident, utilities, managed, community_staff):  # noqa: F811
    return wo_actions.dispatch_request(_new_request(tree, resident, utilities), to=managed, mode="pool",
                                       by=community_staff)


@pytest.fixture
def accepted(tree, resident, utilities, managed, community_staff, company_staff):  # noqa: F811
    req = wo_actions.dispatch_request(_new_request(tree, resident, utilities), to=managed, by=community_staff)
    return wo_actions.accept_request(req, by=company_staff)


@pytest.fixture
def resolved(tree, resident, utilities, managed, community_staff, company_staff):  # noqa: F811
    req = wo_actions.dispatch_request(_new_request(tree, resident, utilities), to=managed, by=community_staff)
    wo_actions.accept_request(req, by=company_staff)
    return wo_actions.resolve_request(req, by=company_staff, result_note="已更换阀门")


ALL_CASES = CASES + WORKORDER_CASES + MEETING_CASES
if os.environ.get("WALK_ONLY"):  # WALK_ONLY="new vote form": walk the cases whose id contains it (while fixing)
    ALL_CASES = [c for c in ALL_CASES if os.environ["WALK_ONLY"] in c.id]


# ---------------------------------------------------------------- what the view reads


class _Reads:
    names: set[str] | None = None


def _recording(method):
    def wrapper(self, key, *args, **kwargs):
        if _Reads.names is not None and isinstance(key, str):
            _Reads.names.add(key)
        return method(self, key, *args, **kwargs)

    return wrapper


@pytest.fixture
def recorded_reads(monkeypatch):
    """Names looked up in any QueryDict (request.GET/POST) while ``_Reads.names`` is a set."""
    for name in ("get", "getlist", "__getitem__", "__contains__"):
        monkeypatch.setattr(QueryDict, name, _recording(getattr(QueryDict, name)))
    yield _Reads
    _Reads.names = None


# ---------------------------------------------------------------- the tables


def _counts_sql() -> str:
    tables = sorted({m._meta.db_table for label in ("core", "places", "people", "notices", "workorders", "assembly",
                                                    "auth")
                     for m in apps.get_app_config(label).get_models() if m._meta.managed})
    q = connection.ops.quote_name
    return "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {q(t)})" for t in tables)


def _snapshot(sql: str) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


# ---------------------------------------------------------------- the pages' forms and links


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.links: set[str] = set()
        self._form: dict | None = None
        self._select: list | None = None
        self._textarea: list | None = None
        self.kinds: dict[str, forms.Field] = {}

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.add(a["href"])
        elif tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(),
                          "fields": [], "buttons": []}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image", "button"):
                self._form["buttons"].append((a["name"], a.get("value", "")))
            elif kind not in ("checkbox", "radio") or "checked" in a or not any(
                    f["name"] == a["name"] for f in self._form["fields"]):
                if kind in ("checkbox", "radio") and "checked" in a:
                    self._form["fields"] = [f for f in self._form["fields"] if not (
                        f["name"] == a["name"] and f["kind"] == "radio")]
                self._form["fields"].append({"name": a["name"], "kind": kind, "value": a.get("value", "on" if kind in (
                    "checkbox", "radio") else ""), "checked": "checked" in a, "required": "required" in a})
        elif tag == "button" and a.get("name") and a.get("type", "submit") == "submit":
            self._form["buttons"].append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select = [a["name"], None, None]
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select[2] is None and value:
                self._select[2] = value
            if "selected" in a:
                self._select[1] = value
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, selected, first = self._select
            self._form["fields"].append({"name": name, "kind": "select", "value": selected or first or "",
                                         "checked": True, "required": False})
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form["fields"].append({"name": self._textarea[0], "kind": "textarea", "value": self._textarea[1],
                                         "checked": True, "required": False})
            self._textarea = None


def _kind_values(field) -> list[str] | None:
    """The extreme values for a Django form field, by its kind (None: a file, nothing to type)."""
    if isinstance(field, forms.FileField):
        return None
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        return INT_VALUES
    if isinstance(field, forms.DateTimeField):
        return DATETIME_VALUES
    if isinstance(field, forms.DateField):
        return DATE_VALUES
    if isinstance(field, forms.ChoiceField | forms.BooleanField | forms.ModelMultipleChoiceField):
        return CHOICE_VALUES
    if isinstance(field, forms.CharField):
        return TEXT_VALUES
    return VALUES


def _context_fields(response) -> dict[str, forms.Field]:
    """{html name: field} for the fields of every form in the page's template context."""
    out: dict[str, forms.Field] = {}
    for context in response.context or []:
        for layer in getattr(context, "dicts", [context]):
            for value in (layer.values() if isinstance(layer, dict) else []):
                if isinstance(value, forms.BaseForm):
                    for name, field in value.fields.items():
                        out.setdefault(value.add_prefix(name), field)
    return out


def _filler(field: forms.Field | None, today: datetime.date) -> str:
    """A plausible value for a required field the page left empty (the template marks none as required)."""
    if field is None or not field.required:
        return ""
    if isinstance(field, forms.IntegerField | forms.DecimalField):
        return str(field.min_value if field.min_value is not None else 1)
    if isinstance(field, forms.DateField):
        return str(today + datetime.timedelta(days=30))
    if isinstance(field, forms.CharField):
        return "测试"
    return ""


def _defaults(fields: list[dict], kinds: dict | None = None) -> dict[str, list[str]]:
    """What a person would send: the page's values, plausible ones where a required field is empty."""
    today = datetime.date.today()
    out: dict[str, list[str]] = {}
    stamps = iter(range(20, 400, 15))
    for f in fields:
        if f["kind"] in ("checkbox",) and not f["checked"]:
            continue
        if f["kind"] == "file":
            continue
        value = f["value"]
        if not value.strip():
            if f["kind"] == "datetime-local":
                value = f"{today + datetime.timedelta(days=next(stamps))}T09:00"
            elif f["kind"] == "date":
                value = str(today + datetime.timedelta(days=30))
            elif f["kind"] in ("text", "textarea") and f["required"]:
                value = "测试"
            else:
                value = _filler((kinds or {}).get(f["name"]), today)
        out.setdefault(f["name"], []).append(value)
    return out


def _variants(form: dict, kinds: dict | None = None) -> list[dict[str, list[str]]]:
    base = _defaults(form["fields"], kinds)
    buttons = [b for b in form["buttons"] if b[0]]
    if not buttons:
        return [base]
    return [{**base, name: [value]} for name, value in dict(buttons).items()]


# ---------------------------------------------------------------- the walker


class Walker:
    def __init__(self, client):
        self.client = client
        self.client.raise_request_exception = True
        self.sql = _counts_sql()
        self.failures: list[str] = []
        self.requests = 0
        self.seen: set = set()
        self.log: list = []

    def login(self, user):
        self.client.force_login(user)

    def send(self, method: str, url: str, data=None, *, json_body=None, refused_leaves_nothing=True,
             after=None, what: str = "") -> None:
        """One request in a savepoint that is rolled back: no 5xx; a refused write leaves every table as it was.
        ``after(response)`` runs inside the savepoint (to follow an accepted write)."""
        self.requests += 1
        self.log.append((method, url.split("?")[0], sorted(data) if isinstance(data, dict) else None))
        label = f"{method.upper()} {url} {what}".rstrip()
        with transaction.atomic():
            before = _snapshot(self.sql) if method != "get" else None
            try:
                if json_body is not None:
                    response = getattr(self.client, method)(url, data=json.dumps(json_body),
                                                            content_type="application/json")
                elif method == "patch":
                    response = self.client.patch(url, data=json.dumps(data or {}), content_type="application/json")
                else:
                    response = getattr(self.client, method)(url, data or {})
                if getattr(response, "streaming", False):
                    b"".join(response.streaming_content)
            except Exception as exc:  # a 500: the client re-raises the view's exception
                frame = traceback.extract_tb(exc.__traceback__)[-1]
                self.fail(f"{label} → {type(exc).__name__}: {str(exc)[:160]} "
                                     f"({frame.filename.split('/gongzhi/')[-1]}:{frame.lineno})")
                transaction.set_rollback(True)
                return
            if response.status_code >= 500:
                self.fail(f"{label} → {response.status_code}")
            elif before is not None and refused_leaves_nothing and self._refused(response):
                if _snapshot(self.sql) != before:
                    self.fail(f"{label} → {response.status_code} refused, but rows changed")
            elif after is not None and response.status_code < 400:
                after(response)
            transaction.set_rollback(True)

    @staticmethod
    def _refused(response) -> bool:
        if response.status_code >= 400:
            return True
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            return b"is-invalid" in response.content or b"alert-danger" in response.content
        return False

    def page(self, url: str, what: str = ""):
        """GET ``url``; the page's parsed forms/links and the names the view read from the query string."""
        _Reads.names = set()
        try:
            response = self.client.get(url)
        except Exception as exc:
            self.fail(f"GET {url} {what}→ {type(exc).__name__}: {str(exc)[:160]}")
            return None, set()
        finally:
            read, _Reads.names = _Reads.names, None
        if response.status_code >= 500:
            self.fail(f"GET {url} → {response.status_code}")
        if response.status_code != 200 or getattr(response, "streaming", False) or \
                "text/html" not in response.get("Content-Type", ""):
            return None, read
        parser = _Page()
        parser.feed(response.content.decode(errors="replace"))
        parser.kinds = _context_fields(response)
        return parser, read

    # -- the three kinds of input

    def path_params(self, url: str):
        path, _, query = url.partition("?")
        match = resolve(path)
        route = "/" + match.route
        key = ("path", route)
        if key in self.seen or not match.kwargs:
            return
        self.seen.add(key)
        for name in match.kwargs:
            for value in [HUGE, "2147483648", "0", "-1", "abc"]:
                kwargs = {**{k: str(v) for k, v in match.kwargs.items()}, name: value}
                concrete = re.sub(r"<(?:\w+:)?(\w+)>", lambda m, kw=kwargs: kw[m[1]], route)
                concrete = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m, kw=kwargs: kw[m[1]], concrete)
                self.send("get", concrete + (f"?{query}" if query else ""))

    def filters(self, url: str, names: set[str]):
        path, _, query = url.partition("?")
        given = dict(parse_qsl(query))
        for name in sorted(names):
            key = ("filter", resolve(path).route, name)
            if key in self.seen:
                continue
            self.seen.add(key)
            for value in VALUES:
                self.send("get", f"{path}?{urlencode({**given, name: value})}")

    def form(self, page_url: str, action: str, data: dict[str, list[str]], *, kinds=None, follow: bool = True):
        target = action or page_url
        if target.startswith(("http:", "https:", "//")) or target.startswith(SKIP_ACTIONS):
            return
        if not target.startswith("/"):
            target = page_url.split("?")[0].rsplit("/", 1)[0] + "/" + target
        key = ("form", resolve(urlsplit(target).path).route, tuple(sorted(data)))
        if key in self.seen:
            return
        self.seen.add(key)
        for name in data:
            field = (kinds or {}).get(name)
            values = VALUES if field is None else _kind_values(field)
            if name == "csrfmiddlewaretoken" or values is None:
                continue
            # a text or a choice that was accepted is stored as typed; a number or a date is what a next step
            # computes with (the notice period when announcing), so follow it
            text = isinstance(field, forms.CharField | forms.ChoiceField | forms.BooleanField)
            for value in values:
                self.send("post", target, {**data, name: [value]}, what=f"{name}={value}",
                          after=self._follow if follow and not text else None)

    def _follow(self, response):
        """An accepted write: the page it leads to renders, and its forms, posted as they stand, give no 5xx."""
        location = response.get("Location", "")
        if response.status_code not in (301, 302, 303) or not location.startswith("/"):
            return
        if location.startswith(SKIP_ACTIONS):
            return
        parser, _read = self.page(location, "after an accepted write ")
        for form in (parser.forms if parser else []):
            if form["method"] != "post":
                continue
            target = form["action"] or location
            if not target.startswith("/") or target.startswith(SKIP_ACTIONS):
                continue
            for data in _variants(form, parser.kinds):
                self.requests += 1
                try:
                    with transaction.atomic():
                        r = self.client.post(target, data)
                        transaction.set_rollback(True)
                    if r.status_code >= 500:
                        self.fail(f"POST {target} after an accepted write → {r.status_code}")
                except Exception as exc:
                    self.fail(f"POST {target} after an accepted write → {type(exc).__name__}: "
                                         f"{str(exc)[:160]}")

    def fail(self, message: str) -> None:
        if message not in self.failures:  # the same failure for another role is said once
            self.failures.append(message)

    def report(self):
        import collections
        if os.environ.get("WALK_LOG"):
            with open(os.environ["WALK_LOG"], "w") as fh:
                for (m, u, _d), n in collections.Counter((m, u, None) for m, u, _d in self.log).most_common():
                    fh.write(f"{n} {m} {u}\n")
        assert not self.failures, f"{len(self.failures)} of {self.requests} requests failed:\n" + "\n".join(
            self.failures[:150])


def _reaching(case) -> list[str]:
    """The roles that get past the door (2xx or 3xx); else, for the API, those refused only by right (403)."""
    roles = [r for r in ROLES if case.status_for(r) < 400]
    return roles or [r for r in ROLES if case.status_for(r) in (401, 403, 422)][:1]


def _is_api(case, w) -> bool:
    return case.url(w).startswith("/api/")


@pytest.fixture
def walker(client, recorded_reads):
    return Walker(client)


# ---------------------------------------------------------------- the pages


def test_pages_filters_and_forms_give_no_5xx_and_refused_writes_leave_nothing(request, walker, tree, orgs,
                                                                              resident):
    w = World(request)
    for case in ALL_CASES:
        if _is_api(case, w):
            continue
        url = case.url(w)
        for role in _reaching(case):
            walker.login(request.getfixturevalue(role))
            walker.path_params(url)
            if case.method == "get":
                parser, read = walker.page(url)
                names = set(read) | set(dict(parse_qsl(urlsplit(url).query)))
                if parser is not None:
                    for link in parser.links:
                        parts = urlsplit(link)
                        if parts.query and (not parts.path or parts.path == urlsplit(url).path):
                            names |= {k for k, _v in parse_qsl(parts.query, keep_blank_values=True)}
                    for form in parser.forms:
                        if form["method"] == "get" and (form["action"] or url).split("?")[0] == url.split("?")[0]:
                            names |= {f["name"] for f in form["fields"]}
                walker.filters(url, names - {"csrfmiddlewaretoken"})
                for form in (parser.forms if parser else []):
                    if form["method"] == "post":
                        for data in _variants(form, parser.kinds):
                            walker.form(url, form["action"], data, kinds=parser.kinds)
            else:
                data = case.data(w) if case.data else {}
                walker.form(url, "", {k: (v if isinstance(v, list) else [v]) for k, v in data.items()
                                      if not hasattr(v, "read")})
    walker.report()


# ---------------------------------------------------------------- the JSON API


def _resolve(schema: dict, spec: dict) -> dict:
    while "$ref" in schema:
        node = spec
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    for key in ("anyOf", "allOf", "oneOf"):
        if key in schema:
            options = [_resolve(s, spec) for s in schema[key]]
            options = [s for s in options if s.get("type") != "null"]
            if options:
                return {**options[0], **{k: v for k, v in schema.items() if k not in (key,)}}
    return schema


def _values_for(schema: dict) -> list:
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "integer":
        return JSON_INTS
    if kind == "number":
        return [1e308, -1, 10**20, "abc"]
    if kind == "boolean":
        return ["abc", 2]
    if kind == "array":
        return [[10**20], "abc"]
    if kind == "object":
        return ["abc"]
    if fmt == "date":
        return JSON_DATES
    if fmt == "date-time":
        return JSON_DATETIMES
    return JSON_STRINGS


def test_api_parameters_and_bodies_give_no_5xx_and_refused_writes_leave_nothing(request, walker, tree, orgs,
                                                                                resident):
    from gongzhi.api import api

    from .test_route_coverage import covered_by

    spec = api.get_openapi_schema()
    w = World(request)
    by_route: dict[tuple[str, str], list] = {}
    for case in ALL_CASES:
        if _is_api(case, w):
            by_route.setdefault(covered_by(case, w), []).append(case)
    walked = set()
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            shape = re.compile(re.sub(r"\\\{(\w+)\\\}", r"<(?:\\w+:)?\1>", re.escape(path.removeprefix("/"))))
            cases = [c for (m, r), found in by_route.items() if m == method.upper() and shape.fullmatch(r)
                     for c in found]
            if not cases:
                continue
            walked.add((method, path))
            case = cases[0]
            url = case.url(w)
            base = case.data(w) if case.data else {}
            params = [p for p in op.get("parameters", []) if p.get("in") == "query"]
            body = op.get("requestBody", {}).get("content", {})
            for role in _reaching(case)[:API_ROLES]:
                walker.login(request.getfixturevalue(role))
                walker.path_params(url)
                for p in params:
                    for value in _values_for(_resolve(p.get("schema", {}), spec)):
                        text = value if isinstance(value, str) else json.dumps(value)
                        walker.send(method, f"{url.split('?')[0]}?{urlencode({p['name']: text})}",
                                    what=f"{p['name']}={text}")
                for content_type, media in body.items():
                    schema = _resolve(media.get("schema", {}), spec)
                    props = schema.get("properties", {})
                    for name, prop in props.items():
                        prop = _resolve(prop, spec)
                        if content_type == "application/json":
                            # a body may be the schema itself or one parameter holding it
                            for value in _values_for(prop):
                                walker.send(method, url, json_body={**base, name: value}, what=f"{name}={value!r}")
                        else:
                            inner = _resolve(prop, spec)
                            for field, sub in (inner.get("properties") or {name: inner}).items():
                                for value in _values_for(_resolve(sub, spec)):
                                    data = {**{k: v for k, v in base.items() if not hasattr(v, "read")},
                                            field: value if isinstance(value, str) else json.dumps(value)}
                                    walker.send(method, url, data, what=f"{field}={value!r}")
    assert len(walked) >= 30, "the API walk found too few operations"
    walker.report()


class _Answer:
    def __init__(self, status):
        self.status_code, self.content, self.streaming = status, b"", False

    def get(self, key, default=None):
        return "text/html" if key == "Content-Type" else default


class _StubClient:
    """Stands in for the test client to check the walker itself: ``write`` adds an audit row, then it answers
    ``status``, or raises as a view that fails would."""

    def __init__(self, status, *, write=False, fail=False):
        self.status, self.write, self.fail = status, write, fail

    def post(self, url, data=None, **kwargs):
        from gongzhi.core.models import Event

        if self.write:
            Event.objects.create(verb="test.walk")
        if self.fail:
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        return _Answer(self.status)


@pytest.mark.parametrize(("stub", "reported"), [
    (_StubClient(400, write=True), "refused, but rows changed"),
    (_StubClient(200, fail=True), "OverflowError"),
    (_StubClient(302, write=True), None),  # an accepted write may write
    (_StubClient(400), None),
])
def test_the_walker_reports_a_5xx_and_a_refused_write_that_leaves_a_row(db, stub, reported):
    from gongzhi.core.models import Event

    walker = Walker(stub)
    walker.send("post", "/x/", {"n": HUGE}, what=f"n={HUGE}")
    assert [reported in f for f in walker.failures] == ([True] if reported else [])
    assert not Event.objects.filter(verb="test.walk").exists()  # each request is rolled back


def test_the_page_parser_reads_forms_and_links():
    html = """<a href="?by=company&month=2026-01">x</a><form method="get"><input name="q" value=""></form>
    <form method="post" action="/votes/new/"><input type="hidden" name="csrfmiddlewaretoken" value="t">
    <input name="notice_days" value="15"><select name="kind"><option value="">-</option><option value="q" selected>
    </option></select><textarea name="note">hi</textarea><input type="radio" name="r" value="a">
    <input type="radio" name="r" value="b" checked><input type="datetime-local" name="opens_at" required>
    <button name="resolve" value="1">ok</button></form>"""
    page = _Page()
    page.feed(html)
    assert page.links == {"?by=company&month=2026-01"}
    get_form, post_form = page.forms
    assert [f["name"] for f in get_form["fields"]] == ["q"]
    (data,) = _variants(post_form)
    assert data["notice_days"] == ["15"] and data["kind"] == ["q"] and data["note"] == ["hi"]
    assert data["r"] == ["b"] and data["resolve"] == ["1"] and data["opens_at"][0].endswith("T09:00")


def test_extreme_values_are_extreme():
    assert int(HUGE) > 2**63 and 2**31 in JSON_INTS
    assert _values_for({"type": "string", "format": "date"}) == JSON_DATES
    assert png  # the photo fixture's helper is importable for the walk's cases


# ---------------------------------------------------------------- the cases the issue names


def _vote_form(place, notice_days):
    now = datetime.datetime.now()
    return {"compound": place.pk, "kind": "question", "matter": "rebuild", "title": "加装电梯",
            "question": "是否加装电梯？", "opens_at": f"{(now + datetime.timedelta(days=40)):%Y-%m-%dT09:00}",
            "closes_at": f"{(now + datetime.timedelta(days=60)):%Y-%m-%dT09:00}", "notice_days": notice_days,
            "ballot_rule": "first"}


@pytest.mark.parametrize("notice_days", [str(2**63 + 1), HUGE, str(2**31), "366"])
def test_a_huge_notice_period_is_a_form_error(client, estate, compound_staff, notice_days):  # noqa: F811
    from gongzhi.assembly.models import Vote
    from gongzhi.core.models import Event

    client.force_login(compound_staff)
    events = Event.objects.count()
    r = client.post("/votes/new/", _vote_form(estate["compound"], notice_days))
    assert r.status_code == 200
    assert "公告期不得超过365天" in r.content.decode()
    assert (Vote.objects.count(), Event.objects.count()) == (0, events)


def test_the_longest_notice_period_can_be_announced(client, estate, compound_staff):  # noqa: F811
    """365 days is accepted; announcing then says the vote opens too soon, it does not overflow."""
    from gongzhi.assembly.models import Vote

    client.force_login(compound_staff)
    r = client.post("/votes/new/", _vote_form(estate["compound"], "365"))
    assert r.status_code == 302
    created = Vote.objects.get()
    assert created.notice_days == 365
    r = client.post(f"/votes/{created.pk}/announce/", follow=True)
    assert r.status_code == 200 and "365" in r.content.decode()
    created.refresh_from_db()
    assert created.announced_at is None


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "2026-13", "10000-01"])
@pytest.mark.parametrize("url", ["/requests/rankings/", "/requests/rankings/export.xlsx"])
def test_a_far_month_on_the_rates_page_is_ignored_and_said(client, tree, street_staff, url, month):
    client.force_login(street_staff)
    r = client.get(f"{url}?month={month}")
    assert r.status_code == 200
    if url.endswith("/"):
        assert "此条件未使用" in r.content.decode()
        assert r.context["month"] == datetime.date.today().replace(day=1)


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "2026-13"])
def test_a_far_month_in_the_api_stats_is_a_422_naming_the_field(client, tree, street_staff, month):
    client.force_login(street_staff)
    r = client.get(f"/api/requests/stats?month={month}")
    assert r.status_code == 422
    assert [d["loc"] for d in r.json()["detail"]] == [["query", "month"]]


@pytest.mark.parametrize("query", ["since=2026-02-30", "until=2026-99-99", "since=0001-01-01&until=9999-12-31"])
@pytest.mark.parametrize("url", ["/audit/", "/audit/export.xlsx"])
def test_an_impossible_date_in_the_audit_filters_is_ignored_and_said(client, tree, street_staff, url, query):
    client.force_login(street_staff)
    r = client.get(f"{url}?{query}")
    assert r.status_code == 200
    if url.endswith("/"):
        html = r.content.decode()
        assert "此条件未使用" in html and ("起始日期" in html or "截止日期" in html)


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "0001", "9999-12-31T23:59:59-14:00", "2026-02-30"])
@pytest.mark.parametrize("name", ["start_date", "end_date"])
def test_open311_far_dates_are_a_400(client, tree, name, value):
    r = client.get(f"/open311/v2/requests.json?{urlencode({name: value})}")
    assert r.status_code == 400
    assert name in r.json()[0]["description"]


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_an_api_date_out_of_range_is_a_422_naming_the_field(client, tree, orgs, community_staff, resident, day):
    from gongzhi.people.models import Position

    client.force_login(community_staff)
    posts = Position.objects.count()
    r = client.post("/api/positions", data=json.dumps({
        "person": resident.person.pk, "organisation": orgs["volunteers"].pk, "title": "volunteer",
        "place": tree["community"].pk, "end_date": day}), content_type="application/json")
    assert r.status_code == 422
    assert [d["loc"] for d in r.json()["detail"]] == [["body", "end_date"]]
    assert "2100-12-31" in r.json()["detail"][0]["msg"]
    assert Position.objects.count() == posts


@pytest.mark.parametrize("query", [f"parent={HUGE}", "parent=0"])
def test_an_api_id_filter_out_of_range_is_a_422(client, tree, street_staff, query):
    client.force_login(street_staff)
    r = client.get(f"/api/places?{query}")
    assert r.status_code == 422
    assert [d["loc"] for d in r.json()["detail"]] == [["query", "parent"]]


def test_query_params_ignore_a_bad_value_and_say_why():
    from django.http import QueryDict

    from gongzhi.core.params import QueryParams, to_int

    params = QueryParams(QueryDict(f"since=2026-02-30&n={HUGE}&m=2026-13&ok=2026-03-05"))
    assert params.date("since", "起始日期") is None
    assert params.int("n", "数量", low=0, high=100) is None
    assert params.month("m", "月份") is None
    assert params.date("ok", "日期") == datetime.date(2026, 3, 5)
    assert params.date("missing", "日期") is None
    assert len(params.ignored) == 3 and params.ignored[0].startswith("起始日期：")
    assert to_int("42", low=0, high=100) == 42
    with pytest.raises(ValueError, match="不能大于 100"):
        to_int("101", low=0, high=100)
