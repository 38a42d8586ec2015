"""The API's limit/offset pagination: ninja's, with both parameters bounded.

ninja's own ``offset`` has no upper bound, so ``?offset=99999999999999999999`` reached the database as an
OFFSET no integer column type holds (SQLite: OverflowError; PostgreSQL: bigint out of range) and answered
500. Here an offset or limit out of range is a 422 naming the parameter, like any other bad input."""

from __future__ import annotations

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination as NinjaLimitOffsetPagination

MAX_OFFSET = 10**9


class LimitOffsetPagination(NinjaLimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT,
                           description="每页条数")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数")
