"""Shapes every API router shares. The OpenAPI schema has one component per name, so a
shape defined twice under one name would document one of them wrongly: define it here,
once."""

from ninja import Field, Schema

# An id beyond 64 bits overflows the database driver's integer parameter (a 500): 422.
MAX_ID = 2**63 - 1
# Text a client writes: no NUL character (PostgreSQL refuses it in a text column).
NO_NUL = r"^[^\x00]*$"


class ErrorOut(Schema):
    detail: str | list | dict
    code: str | None = None


ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}
# Read-only routers: no 400 (nothing to refuse) and no 403 (what you may not see is 404).
READ_ERRORS = dict.fromkeys((401, 404, 422, 429), ErrorOut)


class UnitRef(Schema):
    id: int
    code: str
    name: str


class PersonOut(Schema):
    id: int
    username: str
    name: str

    @staticmethod
    def resolve_name(user) -> str:
        return user.get_full_name() or user.get_username()


class FileOut(Schema):
    id: int
    name: str
    size: int
    url: str = Field(description="The screen's download (needs a signed-in session)")
