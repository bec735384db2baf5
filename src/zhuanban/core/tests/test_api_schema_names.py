"""The OpenAPI schema has one component per name: two shapes (or enums) of one name make
django-ninja keep one of them silently, and the schema then documents the other
endpoint wrongly. Every shape the API uses has a name of its own."""

import enum
import typing
from collections import defaultdict

from pydantic import BaseModel

from zhuanban.api import api


def _named_types() -> dict[str, set]:
    found: dict[str, set] = defaultdict(set)
    seen: set[int] = set()

    def walk(tp) -> None:
        if id(tp) in seen:
            return
        seen.add(id(tp))
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            # django-ninja's own per-operation wrappers (module "abc") are not components.
            if tp.__module__ != "abc":
                found[tp.__name__].add(tp)
            for field in tp.model_fields.values():
                walk(field.annotation)
        elif isinstance(tp, type) and issubclass(tp, enum.Enum):
            found[tp.__name__].add(tp)
        for arg in typing.get_args(tp):
            walk(arg)

    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in (operation.response_models or {}).values():
                    walk(model)
                for model in operation.models:
                    walk(model)
    return found


def test_no_two_api_shapes_share_a_name():
    found = _named_types()
    assert {"ProjectOut", "TaskOut", "DispatchAction"} <= set(found)  # the walk reaches them
    clashes = {
        name: sorted(f"{t.__module__}.{t.__qualname__}" for t in types)
        for name, types in found.items()
        if len(types) > 1
    }
    assert clashes == {}
