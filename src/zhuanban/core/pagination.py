"""Limit/offset pagination for the API with the offset bounded: SQLite answers an OFFSET
beyond 64 bits with an error (a 500), not an empty page; a bounded one is a 422."""

from ninja import Field
from ninja.pagination import LimitOffsetPagination

MAX_OFFSET = 2**31


class BoundedLimitOffset(LimitOffsetPagination):
    class Input(LimitOffsetPagination.Input):
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
