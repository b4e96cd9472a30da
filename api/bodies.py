"""The base of every JSON request body the registry stores: unknown fields are refused, and so
is text that a database cannot hold (a NUL character: PostgreSQL refuses it, SQLite would keep
it) — the same answer, 422, on either database."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=500)

    @field_validator("*", mode="after")
    @classmethod
    def storable(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("text may not contain NUL (\\u0000) characters")
        return value
