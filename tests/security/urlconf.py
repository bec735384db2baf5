"""Every URL pattern of the project, found by walking the resolver (screens, exports, the
django-ninja API under /api/v1/ and the admin), with its full route and parameters."""

import re
from collections import Counter
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# <int:pk>, <code> (route converters) and (?P<app_label>...) (regex groups).
_PARAM = re.compile(r"<(?:[^>:]+:)?(?P<name>\w+)>|\(\?P<(?P<group>\w+)>[^)]*\)")


@dataclass(frozen=True)
class Route:
    key: str  # the registry key: the URL name, or name + route where the name is not unique
    name: str | None  # "tasks:detail"
    route: str  # "tasks/<int:pk>/"
    params: tuple[str, ...]
    namespace: str

    def url(self, kwargs: dict) -> str:
        """The path with `kwargs` put in (built from the route itself, so that patterns
        without a unique name are reached too)."""
        missing = set(self.params) - set(kwargs)
        if missing:
            raise KeyError(f"{self.key}: no value for {sorted(missing)}")

        def value(match: re.Match) -> str:
            return str(kwargs[match["name"] or match["group"]])

        return "/" + _PARAM.sub(value, self.route).replace("^", "").replace("$", "")

    @property
    def is_api(self) -> bool:
        return self.namespace == "api"


def _join(prefix: str, pattern) -> str:
    # As Django's ResolverMatch.route: an included regex loses its leading "^".
    text = str(pattern)
    return prefix + (text.removeprefix("^") if prefix else text)


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, _join(prefix, pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = _join(prefix, pattern.pattern)
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            params = tuple(m["name"] or m["group"] for m in _PARAM.finditer(route))
            yield name, route, params, namespace


def collect_routes() -> list[Route]:
    found = list(_walk(get_resolver().url_patterns))
    names = Counter(name for name, *_rest in found if name)
    routes = []
    for name, route, params, namespace in found:
        if name and names[name] == 1:
            key = name
        elif name:
            key = f"{name} {route}"  # e.g. "api:act" is both the tasks' and dispatch's
        else:
            key = route
        routes.append(Route(key, name, route, params, namespace.split(":")[0]))
    return routes
