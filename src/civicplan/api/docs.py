"""The API's documentation page, rendered by the site itself from the OpenAPI schema: every operation with its
parameters and answers, and every answer's fields, in the site's accessible layout (USWDS, both languages'
chrome, tables with headers). django-ninja's Swagger UI page fails WCAG 2.1 AA (buttons nested in buttons,
low-contrast method badges, no page language), so it is not served; the raw schema stays at openapi.json for
tools (Swagger UI, Postman, code generators)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase


@dataclass(frozen=True)
class Parameter:
    name: str
    where: str
    kind: str
    default: str
    required: bool


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    anchor: str
    parameters: list[Parameter]
    answers: list[tuple[str, str, str]]  # status, media type, schema name


def _kind(schema: dict[str, Any], components: dict[str, Any]) -> str:
    """A JSON schema fragment in a few words: `integer`, `en | es`, `list of ItemOut`, `string or null`."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "enum" in schema:
        return " | ".join(str(value) for value in schema["enum"])
    if "anyOf" in schema:
        return " or ".join(_kind(part, components) for part in schema["anyOf"])
    if schema.get("type") == "array":
        return f"list of {_kind(schema.get('items', {}), components)}"
    kind = schema.get("type", "object")
    return f"{kind} ({schema['format']})" if "format" in schema else str(kind)


def operations(schema: dict[str, Any]) -> list[Operation]:
    components = schema.get("components", {}).get("schemas", {})
    found = []
    for path, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            parameters = [
                Parameter(
                    p["name"],
                    p.get("in", ""),
                    _kind(p.get("schema", {}), components),
                    str(p.get("schema", {}).get("default", "")),
                    bool(p.get("required")),
                )
                for p in operation.get("parameters", [])
            ]
            answers = []
            for status, answer in operation.get("responses", {}).items():
                for media, body in (answer.get("content") or {"": {}}).items():
                    answers.append(
                        (str(status), media, _kind(body.get("schema", {}), components) if media else "")
                    )
            found.append(
                Operation(
                    method.upper(),
                    path,
                    operation.get("summary", ""),
                    operation.get("operationId", path),
                    parameters,
                    answers,
                )
            )
    return found


def shapes(schema: dict[str, Any]) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    """Each named answer shape with its fields: (name, type, required)."""
    components = schema.get("components", {}).get("schemas", {})
    return [
        (
            name,
            [
                (field, _kind(spec, components), field in shape.get("required", []))
                for field, spec in shape.get("properties", {}).items()
            ],
        )
        for name, shape in sorted(components.items())
    ]


class AccessibleDocs(DocsBase):
    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        schema = api.get_openapi_schema(path_params=kwargs)
        return render(
            request,
            "web/api_docs.html",
            {
                "api": api,
                "schema_url": self.get_openapi_url(api, kwargs),
                "operations": operations(schema),
                "shapes": shapes(schema),
            },
        )
