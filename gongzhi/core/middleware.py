"""Request-wide concerns: the client's IP for the audit trail, the language, and input no view may see (NUL,
JSON nested past JSON_MAX_DEPTH)."""

import ipaddress
import json
import time
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth import logout, user_logged_in
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _lazy

client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)


def ip_of(request) -> str | None:
    """The client's address: REMOTE_ADDR, or — behind ``GONGZHI_TRUSTED_PROXIES`` reverse proxies that each append
    the address they saw to X-Forwarded-For — the entry that many places from the right. Entries further left
    were written by the client and prove nothing; with too few entries the request did not come through the
    proxies, and REMOTE_ADDR is what is known. Used for the audit log and the login lockout."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.GONGZHI_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < proxies:
        return remote
    candidate = hops[-proxies]
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return remote
    return candidate


class ClientIPMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = client_ip.set(ip_of(request))
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)


class LanguageMiddleware:
    """Chinese unless the user chose otherwise: the language switch's cookie decides, the browser's
    Accept-Language does not (a street office's pages are Chinese on any borrowed or English-set device)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


NUL = "\x00"
NUL_MESSAGE = _lazy("不能包含空字符（\\0）")
JSON_PATHS = ("/api/",)
SKIPPED_PATHS = ("/open311/",)  # Open311 refuses NUL itself, in the GeoReport error format


# JSON nested deeper than this is refused before any view (and before ninja parses it again): no schema of
# ours goes past a few levels, and walking a 100,000-deep array is how a request without login took a worker.
JSON_MAX_DEPTH = 32
DEPTH_MESSAGE = _lazy("JSON 嵌套层数过多（最多 %(n)s 层）")


class TooDeep(Exception):
    def __init__(self, path: tuple):
        self.path = path


def _nul_in_json(value, path: tuple = ()) -> tuple | None:
    """The path (keys and list indexes, as strings) of the first string in ``value`` holding a NUL, or None.
    Walked with a stack, not recursion; ``TooDeep`` past JSON_MAX_DEPTH levels."""
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return where
            continue
        if len(where) > JSON_MAX_DEPTH:
            raise TooDeep(where[:JSON_MAX_DEPTH])
        if isinstance(item, dict):
            children = []
            for key, child in item.items():
                if NUL in key:
                    return (*where, key.replace(NUL, "\\0"))
                children.append((child, (*where, key)))
            stack.extend(reversed(children))  # depth first, in document order: the first NUL is reported
        elif isinstance(item, list):
            stack.extend((child, (*where, str(i))) for i, child in reversed(list(enumerate(item))))
    return None


def _json_body(request):
    """The parsed JSON body, or None if it is not JSON; ``TooDeep`` when even the parser gives up."""
    try:
        return json.loads(request.body)
    except RecursionError:
        raise TooDeep(()) from None
    except ValueError:
        return None  # not JSON: the endpoint answers that itself


def nul_location(request) -> list | None:
    """Where the request carries a NUL character: ``["query"|"body", field, ...]``, or None.

    Looks at the query string, form fields (names, values, uploaded file names) and, for a JSON body, every
    string and key at any depth. PostgreSQL text columns cannot hold NUL, so such input must stop here."""
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in v for v in values):
            return ["query", key.replace(NUL, "\\0")]
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    content_type = request.content_type or ""
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        for key, values in request.POST.lists():
            if NUL in key or any(NUL in v for v in values):
                return ["body", key.replace(NUL, "\\0")]
        for key, files in request.FILES.lists():
            if NUL in key or any(NUL in (f.name or "") for f in files):
                return ["body", key.replace(NUL, "\\0")]
    elif content_type in ("application/json", "text/plain", "") or content_type.endswith("+json") or (
            request.path.startswith(JSON_PATHS)):
        # the API reads any body as JSON whatever its declared type: so is it checked here
        found = _nul_in_json(_json_body(request))
        if found is not None:
            return ["body", *found]
    return None


class RejectNulMiddleware:
    """No NUL character reaches a view: pages answer 400 with a short message, the API a 422 naming the field
    (``{"detail": [{"loc": ["query"|"body", field...], "msg": ..., "type": "value_error"}]}``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(SKIPPED_PATHS):
            try:
                loc = nul_location(request)
            except TooDeep as exc:
                return self.refuse(request, ["body", *exc.path], DEPTH_MESSAGE % {"n": JSON_MAX_DEPTH},
                                   "too_deep")
            if loc is not None:
                return self.refuse(request, loc, NUL_MESSAGE)
        return self.get_response(request)

    @staticmethod
    def refuse(request, loc: list, message, kind: str = "value_error"):
        if request.path.startswith(JSON_PATHS):
            return JsonResponse({"detail": [{"loc": [str(part) for part in loc], "msg": str(message), "type": kind}]},
                                status=422, json_dumps_params={"ensure_ascii": False})
        return render(request, "400.html", {"message": message}, status=400)


BODY_TOO_LARGE = gettext_lazy("提交的内容过大")


class BodySizeLimitMiddleware:
    """A body whose Content-Length passes ``REQUEST_MAX_BYTES`` is refused (413) before anything reads or parses
    it — before the session, the login check or the upload handlers: a 300 MB multipart body costs nothing.
    Bodies without a Content-Length (chunked) are not read by Django at all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BYTES:
            if request.path.startswith(JSON_PATHS):
                return JsonResponse({"detail": [{"loc": ["body"], "msg": str(BODY_TOO_LARGE), "type": "value_error"}]},
                                    status=413, json_dumps_params={"ensure_ascii": False})
            return HttpResponse(str(BODY_TOO_LARGE), status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


SESSION_STARTED = "gz_signed_in_at"


@receiver(user_logged_in, dispatch_uid="gongzhi.core.session_started")
def _session_started(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_STARTED] = int(time.time())


class AbsoluteSessionMiddleware:
    """However active, a signed-in session ends ``SESSION_ABSOLUTE_SECONDS`` after sign-in (the idle expiry,
    ``SESSION_COOKIE_AGE`` with ``SESSION_SAVE_EVERY_REQUEST``, slides; this does not). The sign-in time is put in
    the session at sign-in (and on the first request of a session from before this rule)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            started = request.session.get(SESSION_STARTED)
            if not isinstance(started, int):
                request.session[SESSION_STARTED] = now
            elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
        return self.get_response(request)
