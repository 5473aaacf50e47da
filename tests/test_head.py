"""HEAD wherever GET (RFC 9110 section 9.3.2; issue 13: 16 routes answered HEAD with a 405)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

#: A value for each path parameter of the API, so every GET route can be called.
SAMPLES = {"id": "person/heng-sour", "path": "missing", "name": "explorer.js", "file": "x"}


def _get_paths(client: TestClient) -> list[str]:
    paths = []
    for path, operations in client.app.openapi()["paths"].items():  # type: ignore[attr-defined]
        if "get" in operations:
            paths.append(re.sub(r"\{(\w+)(?::path)?\}", lambda m: SAMPLES.get(m[1], "x"), path))
    return paths


def test_every_get_route_answers_head_as_its_get_without_a_body(client: TestClient) -> None:
    paths = _get_paths(client)
    assert len(paths) >= 16
    for path in paths:
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code != 405, (path, head.status_code)
        assert head.content == b"", path
        assert head.headers.get("content-type") == get.headers.get("content-type"), path
        if "content-length" in get.headers and get.status_code == 200:
            assert head.headers["content-length"] == get.headers["content-length"], path


@pytest.mark.parametrize("path", ["/", "/sparql", "/explore", "/id/person/heng-sour", "/api/acts"])
def test_head_of_a_page_gives_its_length(client: TestClient, path: str) -> None:
    get, head = client.get(path), client.head(path)
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == len(get.content) > 0


def test_head_is_not_a_way_to_write(client: TestClient) -> None:
    # A HEAD runs the GET, never a POST route.
    assert client.head("/sparql", params={"update": "CLEAR ALL"}).status_code == 405
