"""Request-wide concerns: the client's IP for the audit trail, the language, and input no view may see (NUL)."""

import json
from contextvars import ContextVar

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _lazy

client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)


def ip_of(request) -> str | None:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    ip = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR")
    return ip or None


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


def _nul_in_json(value, path: tuple) -> tuple | None:
    """The path (keys and list indexes) of the first string in ``value`` holding a NUL, or None."""
    if isinstance(value, str):
        return path if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if NUL in key:
                return (*path, key.replace(NUL, "\\0"))
            found = _nul_in_json(item, (*path, key))
            if found is not None:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _nul_in_json(item, (*path, i))
            if found is not None:
                return found
    return None


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
    elif content_type == "application/json" or content_type.endswith("+json"):
        try:
            data = json.loads(request.body)
        except ValueError:
            return None  # not JSON: the endpoint answers that itself
        found = _nul_in_json(data, ())
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
            loc = nul_location(request)
            if loc is not None:
                return self.refuse(request, loc)
        return self.get_response(request)

    @staticmethod
    def refuse(request, loc: list):
        if request.path.startswith(JSON_PATHS):
            return JsonResponse({"detail": [{"loc": loc, "msg": str(NUL_MESSAGE), "type": "value_error"}]},
                                status=422, json_dumps_params={"ensure_ascii": False})
        return render(request, "400.html", {"message": NUL_MESSAGE}, status=400)
