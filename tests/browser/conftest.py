"""Playwright fixtures: Debian's Chromium against Django's live server, plus an axe-core check.

* The browser is ``/usr/bin/chromium`` (Playwright's own download does not work offline). If it is
  missing, every browser test *fails* with a message saying how to install it (``make test`` runs
  ``scripts/ensure_browser.sh``) — a silent skip would hide that the UI was never tested.
* ``live_server`` (pytest-django) runs the app in a thread over the transactional test database and
  wraps it in ``django.contrib.staticfiles``' ``StaticFilesHandler``, which serves /static/ through the
  finders (``STATICFILES_DIRS`` = gongzhi/static, vendor assets included) — the same as
  ``StaticLiveServerTestCase``. Every page checked here asserts that no /static/ request failed and
  that app.css and Tabler are actually applied.
* Every page a test visits is scanned by axe-core in both modes, normal and large text (适老化), whether or
  not the test calls ``check()``: each ``Browse`` keeps the HTML of every document its page loads (GET
  pages, and POST answers such as a form with errors), and after the test ``_axe_every_page`` puts each
  distinct one into a scanner page of the same viewport (``set_content`` on the server's origin, so
  /static/ loads, from the cache after the first page; the scanner has no session), runs axe, switches the mode's classes (large text is the classes ``gz-large`` on <html> and
  ``large-text`` on <body> and nothing else) and runs it again. Any serious or critical violation fails
  the test, naming the page and the mode. ``check()`` still runs axe on the live page, after scripts and
  htmx have changed it.
* No request may go to a host other than the live server (no CDN): every ``Browse`` records them and the
  test fails at its end.
* Playwright's sync API keeps an event loop running in the main thread for the whole session, so Django's
  async-unsafe guard would reject ORM calls from the tests; ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set here,
  in the browser conftest only.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")

DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch options, pointed at Debian's Chromium."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: the browser tests need Debian's Chromium. Install it with "
                    "`bash scripts/ensure_browser.sh` (run by `make test`), i.e. "
                    "`apt-get install -y chromium fonts-noto-cjk`.", pytrace=False)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(autouse=True)
def _browser_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # uploaded import files stay out of var/media


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make assets` (npm ci) to install axe-core.", pytrace=False)
    return str(AXE_JS)


# the Browse objects the running test made (reset by _axe_every_page), and what was already scanned
_OPEN: list[Browse] = []
_SCANNED: set[str] = set()
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": "|data-csrf-token=")[^"]*')
LOCAL_SCHEMES = ("data:", "blob:", "about:", "chrome-error:")


def axe_violations(page, axe_path: str) -> list[dict]:
    # evaluated through the DevTools protocol, not as a <script> tag: the pages' Content-Security-Policy
    # refuses inline scripts, and must (a page's own inline script is what the console check below catches)
    page.evaluate(_axe_text(axe_path))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in BLOCKING_IMPACTS]


@functools.cache
def _axe_text(axe_path: str) -> str:
    return Path(axe_path).read_text(encoding="utf-8")


def describe(bad: list[dict]) -> list[str]:
    lines = []
    for v in bad:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:10]:
            lines.append(f"    {json.dumps(node['target'], ensure_ascii=False)}: "
                         f"{node.get('failureSummary', '').replace(chr(10), ' ')}")
    return lines


class Browse:
    """A page bound to the live server: navigation plus the checks every visited page gets."""

    def __init__(self, page, base_url: str, axe_path: str):
        self.page = page
        self.base_url = base_url
        self.axe_path = axe_path
        self.failed_static: list[str] = []
        self.external: list[str] = []
        self.csp_violations: list[str] = []  # what the Content-Security-Policy refused (an inline script, eval…)
        self.documents: list[tuple[str, str]] = []  # (url, html) of every document the page loaded
        self.viewport = page.viewport_size or DESKTOP["viewport"]
        page.set_default_timeout(10_000)
        page.on("request", self._on_request)
        page.on("response", self._on_response)
        page.on("requestfailed", lambda req: self._record(req.url, "failed"))
        page.on("console", self._on_console)
        _OPEN.append(self)

    def _on_request(self, request):
        url = request.url
        if not url.startswith(LOCAL_SCHEMES) and urlsplit(url).netloc != urlsplit(self.base_url).netloc:
            self.external.append(url)

    def _on_response(self, response):
        if response.status >= 400:
            self._record(response.url, response.status)
        request = response.request
        if (request.resource_type == "document" and response.frame == self.page.main_frame
                and "text/html" in response.headers.get("content-type", "")
                and response.url.startswith(self.base_url) and not 300 <= response.status < 400):
            try:
                self.documents.append((response.url, response.text()))
            except Exception:  # noqa: BLE001 — a document replaced before its body was read; check() covers it live
                pass

    def _on_console(self, message):
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp_violations.append(f"{self.page.url}: {message.text}")

    def _record(self, url: str, what) -> None:
        if "/static/" in url:
            self.failed_static.append(f"{url} → {what}")

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str):
        return self.page.goto(self.url(path))

    def login(self, username: str, password: str) -> None:
        self.goto("/accounts/login/")
        self.check()
        self.page.get_by_label("用户名或手机号", exact=True).fill(username)
        self.page.get_by_label("密码", exact=True).fill(password)
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="登录").click()

    def check(self) -> None:
        """Static assets loaded and styled, and axe finds nothing serious or critical."""
        page = self.page
        page.wait_for_load_state("load")
        assert not self.failed_static, f"static files failed to load on {page.url}: {self.failed_static}"
        styles = page.evaluate("""() => {
            const probe = document.createElement('span');
            probe.className = 'visually-hidden';
            document.body.appendChild(probe);
            const hidden = getComputedStyle(probe).position;
            probe.remove();
            return {skip: getComputedStyle(document.querySelector('.skip-link')).position,
                    tablerHidden: hidden, font: getComputedStyle(document.body).fontFamily};
        }""")
        assert styles["skip"] == "absolute", f"app.css not applied on {page.url}: {styles}"
        assert styles["tablerHidden"] == "absolute", f"Tabler CSS not applied on {page.url}: {styles}"
        assert "Noto Sans CJK SC" in styles["font"], styles
        self.axe()

    def axe(self) -> None:
        page = self.page
        bad = axe_violations(page, self.axe_path)
        if bad:
            large = page.evaluate("() => document.body.classList.contains('large-text')")
            mode = "large-text" if large else "normal"
            pytest.fail(f"axe: {len(bad)} serious/critical violation(s) on {page.url} ({mode} mode):\n"
                        + "\n".join(describe(bad)), pytrace=False)

    def text(self) -> str:
        return re.sub(r"\s+", " ", self.page.inner_text("body"))


SWITCH_MODE = """() => {
    const large = !document.body.classList.contains('large-text');
    document.documentElement.classList.toggle('gz-large', large);
    document.body.classList.toggle('large-text', large);
    return large;
}"""


def scan_documents(browser, browses: list[Browse], axe_path: str) -> list[str]:
    """axe in both modes on every distinct document the test's pages loaded; the failures, described."""
    failures: list[str] = []
    contexts: dict = {}
    try:
        for b in browses:
            for url, html in b.documents:
                key = hashlib.sha256(CSRF.sub(r"\1", html).encode()).hexdigest()
                if key in _SCANNED:
                    continue
                _SCANNED.add(key)
                vkey = (b.viewport["width"], b.viewport["height"])
                if vkey not in contexts:
                    phone = vkey == (PHONE["viewport"]["width"], PHONE["viewport"]["height"])
                    context = browser.new_context(**(PHONE if phone else DESKTOP), locale="zh-CN")
                    page = context.new_page()
                    page.goto(b.base_url + "/healthz")  # the server's origin: /static/ resolves, and is cached
                    contexts[vkey] = page
                page = contexts[vkey]
                page.set_content(html, wait_until="load")
                for _mode in range(2):
                    bad = axe_violations(page, axe_path)
                    large = page.evaluate("() => document.body.classList.contains('large-text')")
                    if bad:
                        mode = "large-text" if large else "normal"
                        failures.append(f"{url} ({mode} mode):\n" + "\n".join(describe(bad)))
                    page.evaluate(SWITCH_MODE)
    finally:
        for page in contexts.values():
            page.context.close()
    return failures


@pytest.fixture(autouse=True)
def _axe_every_page(browser, axe_source):
    """After each browser test: every page it visited, scanned in both modes; no request left the server."""
    _OPEN.clear()
    yield
    browses = list(_OPEN)
    _OPEN.clear()
    external = sorted({u for b in browses for u in b.external})
    assert not external, f"pages asked hosts other than the server: {external}"
    refused = [v for b in browses for v in b.csp_violations]
    assert not refused, "the Content-Security-Policy refused:\n" + "\n".join(refused)
    failures = scan_documents(browser, browses, axe_source)
    if failures:
        pytest.fail(f"axe: serious/critical violations on {len(failures)} page scan(s):\n" + "\n".join(failures),
                    pytrace=False)


@pytest.fixture
def desktop(new_context, live_server, axe_source):
    context = new_context(**DESKTOP, locale="zh-CN")
    return Browse(context.new_page(), live_server.url, axe_source)


@pytest.fixture
def phone(new_context, live_server, axe_source):
    context = new_context(**PHONE, locale="zh-CN")
    return Browse(context.new_page(), live_server.url, axe_source)
