"""Django's 400/403/404/500 answers: JSON under /api/ (the API's own ``{"detail": ...}`` shape, as documented in
its OpenAPI schema), the site's pages everywhere else. Wired as ``handler400``… in ``gongzhi/urls.py``."""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

JSON_PATHS = ("/api/",)


def _json(request) -> bool:
    return request.path.startswith(JSON_PATHS)


def _answer(detail: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False})


def bad_request(request, exception=None):
    if _json(request):
        return _answer(_("请求无法解析（过大、字段过多或格式错误）"), 400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if _json(request):
        return _answer(_("无权执行此操作"), 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if _json(request):
        return _answer(_("不存在或无权查看"), 404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _json(request):
        return _answer(_("服务器内部错误，已记录；请稍后重试或联系管理员"), 500)
    return defaults.server_error(request)
