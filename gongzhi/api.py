"""The JSON API at /api/ (OpenAPI docs at /api/docs). Routers live in each app's api.py."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import render
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from gongzhi.core.api_errors import explain
from gongzhi.people.auth import ReadOnlyToken, user_for_api_key

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        # a 只读 token on a POST/PATCH/DELETE is refused with 403 (people.auth.ReadOnlyToken)
        user = user_for_api_key(token, write=request.method not in SAFE_METHODS)
        if user is not None:
            request.user = user
        return user


class HeaderTokenAuth(APIKeyHeader):
    param_name = "X-Api-Token"

    def authenticate(self, request, key):
        return TokenAuth().authenticate(request, key)


class LocalSwagger(Swagger):
    """/api/docs with Swagger UI from our own static files (npm swagger-ui-dist, copied to static/vendor by
    scripts/vendor_assets.py). ninja falls back to a CDN page when it is not an installed app; deployments
    reach no CDN, so the page is always rendered from gongzhi/templates/api/docs.html."""

    def render_page(self, request, api, **kwargs):
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        return render(request, "api/docs.html", {"swagger_settings": self.settings, "api": api})


# Every operation may answer these (the handlers below, the auth, Django itself): documented on each, with
# the bodies they carry, so a client — and schemathesis in tests/test_api_fuzz.py — can rely on the schema.
_MESSAGE = {"type": "object", "required": ["detail"], "properties": {"detail": {"type": "string"}}}
_FIELD_ERRORS = {"type": "object", "required": ["detail"], "properties": {"detail": {"type": "array", "items": {
    "type": "object", "required": ["loc", "msg", "type"], "properties": {
        "loc": {"type": "array", "items": {"type": "string"}}, "msg": {"type": "string"},
        "type": {"type": "string"}, "ctx": {"type": "object"}}}}}}
ERRORS = {
    "400": ("请求无法解析（过大、字段过多或格式错误）", _MESSAGE),
    "401": ("未登录，或 API 令牌无效", _MESSAGE),
    "403": ("无权执行此操作", _MESSAGE),
    "404": ("不存在或无权查看", _MESSAGE),
    "422": ("参数或请求体有误：detail 逐项说明（loc 为字段位置）", _FIELD_ERRORS),
}
# a move the current state forbids (workorders.actions.StateConflict and the like)
WRITE_ERRORS = {"409": ("当前状态不允许此操作", _FIELD_ERRORS)}


def _refs(node, found: set[str]) -> set[str]:
    """The component names ``node`` refers to (``{"$ref": "#/components/schemas/X"}``), at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                found.add(value.rsplit("/", 1)[-1])
            else:
                _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)
    return found


def _closure(names: set[str], components: dict) -> set[str]:
    todo = list(names)
    while todo:
        for name in _refs(components.get(todo.pop(), {}), set()) - names:
            names.add(name)
            todo.append(name)
    return names


def _mark_response_fields_required(schema: dict) -> None:
    """A response always carries every field of its schema (null when empty): say so. Only components no
    request uses — in a request body a default still means the field may be left out."""
    components = schema.get("components", {}).get("schemas", {})
    sent: set[str] = set()
    received: set[str] = set()
    for item in schema["paths"].values():
        for operation in item.values():
            _refs(operation.get("responses", {}), received)
            _refs([operation.get("requestBody", {}), operation.get("parameters", [])], sent)
    for name in _closure(received, components) - _closure(sent, components):
        component = components.get(name, {})
        if component.get("properties"):
            component["required"] = list(component["properties"])


class GongzhiAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        _mark_response_fields_required(schema)
        for item in schema["paths"].values():
            for method, operation in item.items():
                errors = {**ERRORS, **(WRITE_ERRORS if method in ("post", "put", "patch", "delete") else {})}
                responses = {str(code): r for code, r in operation.get("responses", {}).items()}
                operation["responses"] = responses
                for code, (description, body) in errors.items():
                    responses.setdefault(code, {"description": description,
                                                "content": {"application/json": {"schema": body}}})
        return schema


api = GongzhiAPI(
    title="Gongzhi 共治 API",
    version="1",
    description="红色物业共治平台接口。所有数据按账号的区域和角色范围返回；分页参数 limit/offset。",
    auth=[TokenAuth(), HeaderTokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs=LocalSwagger(settings={"persistAuthorization": False, "defaultModelsExpandDepth": 0}),
)


@api.exception_handler(DjangoValidationError)
def on_validation_error(request, exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        detail = [{"loc": ["body", field], "msg": str(e.message % e.params if e.params else e.message),
                   "type": e.code or "invalid"}
                  for field, errors in exc.error_dict.items() for e in errors]
    else:
        detail = [{"loc": ["body"], "msg": m, "type": "invalid"} for m in exc.messages]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(NinjaValidationError)
def on_schema_error(request, exc: NinjaValidationError):
    """A body or parameter the schema refuses: 422 in the same shape as above, the message in Chinese."""
    return api.create_response(request, {"detail": [explain(e) for e in exc.errors]}, status=422)


@api.exception_handler(ReadOnlyToken)
def on_read_only_token(request, exc):
    return api.create_response(request, {"detail": str(exc.message)}, status=403)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return api.create_response(request, {"detail": "无权执行此操作"}, status=403)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, {"detail": "不存在或无权查看"}, status=404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return api.create_response(request, {"detail": "请先登录或提供 API 令牌"}, status=401)


from gongzhi.people.api import router as people_router  # noqa: E402
from gongzhi.places.api import router as places_router  # noqa: E402

api.add_router("/places", places_router)
api.add_router("/requests", "gongzhi.workorders.api.router")
api.add_router("/votes", "gongzhi.assembly.api.router")
api.add_router("/meetings", "gongzhi.meetings.api.router")
api.add_router("/matters", "gongzhi.meetings.matters_api.router")
api.add_router("/", people_router)
