"""Optimistic concurrency over HTTP: a record's version is its ETag, and a change names the
version it changes in `If-Match` (428 without one; 412, from the registry, when it is stale)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Response

_TAG = re.compile(r'\s*"(\d{1,9})"\s*')


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'


async def expected_version(if_match: Annotated[str | None, Header(
        description='the ETag of the version this change applies to, e.g. "3"')] = None) -> int:
    """The version named by If-Match. A tag that names no version of ours can never match: 412."""
    if if_match is None:
        raise HTTPException(428, 'this change needs an If-Match header with the ETag you read (e.g. If-Match: "3")')
    if if_match.strip() == "*":
        raise HTTPException(428, 'If-Match: * would overwrite whatever is there; send the ETag you read (e.g. "3")')
    match = _TAG.fullmatch(if_match)
    if match is None:  # a weak tag (W/"1") never matches If-Match (RFC 9110 §13.1.1): send the one ETag read
        raise HTTPException(412, f"If-Match {if_match[:40]!r} is not the one strong ETag of a version of this record")
    return int(match.group(1))


IfMatch = Annotated[int, Depends(expected_version)]
