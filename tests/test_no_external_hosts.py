"""No page references a host other than our own: no CDN, no web font, no outside script (deployments reach
no outside host, and a page that silently depends on one is blank there, as /api/docs was).

Three nets: every template and every file of our own static CSS/JS (so pages no test reaches are covered
too); every page of the role matrices (tests/test_permissions_matrix.py, tests/workorders/test_matrix_pages.py)
rendered as a role that may see it, plus the pages anyone sees; and in the browser tests every request
(tests/browser/conftest.py fails a test whose pages asked another host).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from _pytest.fixtures import FixtureFunctionDefinition

from gongzhi.people.models import Organisation

from . import test_permissions_matrix
from .assembly import conftest as assembly_fixtures
from .capture import World
from .conftest import ROLES
from .meetings import test_matrix_pages as meetings_matrix
from .meetings.test_matrix_pages import MEETING_CASES
from .test_permissions_matrix import CASES
from .workorders import conftest as workorder_fixtures
from .workorders import test_matrix_pages
from .workorders.test_matrix_pages import WORKORDER_CASES

# the cases' objects are built by the fixtures of the matrices' modules: make them visible here too
for _module in (workorder_fixtures, assembly_fixtures, test_permissions_matrix, test_matrix_pages, meetings_matrix):
    for _name, _obj in vars(_module).items():
        if isinstance(_obj, FixtureFunctionDefinition) and _name not in globals():
            globals()[_name] = _obj

ROOT = Path(__file__).resolve().parents[1] / "gongzhi"

# a URL that leaves the server: scheme-relative or absolute http(s), in what a browser fetches or follows
ATTR = re.compile(r"""\b(?:src|href|action|formaction|poster|srcset|data-src|background)\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]+)""",
                  re.IGNORECASE)
CSS_URL = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])((?:https?:)?//[^"')\s]+)""", re.IGNORECASE)
SCRIPT_URL = re.compile(r"""["'`]((?:https?:)?//[^"'`\s]+)""")
BLOCK = re.compile(r"<(script|style)\b[^>]*>(.*?)</\1>", re.IGNORECASE | re.DOTALL)


def outside_refs(text: str, *, host: str = "testserver") -> list[str]:
    """Every URL in ``text`` that a browser would fetch or follow to a host other than ``host``."""
    found = ATTR.findall(text) + CSS_URL.findall(text)
    for _tag, body in BLOCK.findall(text):
        found += SCRIPT_URL.findall(body)
    return [u for u in found if re.sub(r"^(?:https?:)?//", "", u).split("/")[0].split(":")[0] != host]


def test_the_check_finds_outside_references():
    page = """<link rel="stylesheet" href="https://cdn.example.com/x.css"><script src='//unpkg.com/a.js'></script>
    <style>@import "https://fonts.example.com/f.css"; .a { background: url(http://img.example.com/a.png) }</style>
    <script>fetch("https://api.example.com/v1")</script><a href="/static/ok.css">ok</a>
    <a href="http://testserver/requests/">same host</a><svg xmlns="http://www.w3.org/2000/svg"></svg>"""
    assert set(outside_refs(page)) == {"https://cdn.example.com/x.css", "//unpkg.com/a.js", "http://img.example.com/a.png",
                                       "https://fonts.example.com/f.css", "https://api.example.com/v1"}


def test_templates_and_our_static_files_reference_no_outside_host():
    files = [p for p in ROOT.rglob("*") if p.suffix in (".html", ".css", ".js") and p.is_file()
             and "vendor" not in p.relative_to(ROOT).parts]
    assert len(files) > 50, files  # the templates and app.css, pickers.js, api-docs.js are all read
    bad = {str(p.relative_to(ROOT)): refs for p in files if (refs := outside_refs(p.read_text(encoding="utf-8")))}
    assert not bad, bad


def test_vendor_styles_load_nothing_from_outside():
    """The copied CSS (Tabler, tom-select, Swagger UI) fetches no font or image from another host."""
    vendor = ROOT / "static" / "vendor"
    css = list(vendor.rglob("*.css"))
    assert {p.parent.name for p in css} >= {"css", "tom-select", "swagger-ui"}, css
    bad = {p.name: refs for p in css if (refs := CSS_URL.findall(p.read_text(encoding="utf-8")))}
    assert not bad, bad


PAGES = [c for c in CASES + WORKORDER_CASES + MEETING_CASES if c.method == "get" and c.expect.get(200)]


@pytest.mark.parametrize("case", PAGES, ids=[c.id for c in PAGES])
def test_no_page_references_an_outside_host(request, client, case):
    role = next(r for r in ROLES if r in case.expect[200])
    w = World(request)
    client.force_login(request.getfixturevalue(role))
    response = client.get(case.url(w))
    assert response.status_code == 200, (role, case.url(w))
    if getattr(response, "streaming", False) or "text/html" not in response.get("Content-Type", ""):
        return
    refs = outside_refs(response.content.decode())
    assert not refs, f"{case.url(w)} as {role}: {refs}"


@pytest.mark.parametrize("path", ["/accounts/login/", "/api/docs"])
def test_pages_without_login_reference_no_outside_host(client, tree, path):
    response = client.get(path)
    assert response.status_code == 200
    assert not outside_refs(response.content.decode()), path


def test_api_docs_use_our_swagger_ui(client, tree):
    html = client.get("/api/docs").content.decode()
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "/static/vendor/swagger-ui/swagger-ui.css" in html
    assert "/api/openapi.json" in html
    assert (ROOT / "static" / "vendor" / "swagger-ui" / "swagger-ui-bundle.js").exists()


def test_the_resident_home_references_no_outside_host(client, tree, resident, grid_worker):
    Organisation.objects.filter(place=tree["community"]).update(phone="010-8888 6666")
    client.force_login(resident)
    html = client.get("/").content.decode()
    assert 'href="tel:01088886666"' in html
    assert not outside_refs(html)
