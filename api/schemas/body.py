"""The base of every JSON request body the registry stores: unknown fields are refused, and so
is text the registry does not store — the same answer, 422, on either database:

* a control, bidi or zero-width character (`orgmodel.text_hygiene`; NUL among them, which
  PostgreSQL refuses and SQLite would keep): error code `invalid_text`;
* more characters than the column that holds the value (`api.registry.models`; PostgreSQL
  refuses it, SQLite would keep it): `text_too_long`. A name's length unless a field says less
  (ids: `ID_TEXT`).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from api.registry import models
from orgmodel.text_hygiene import bad_characters, describe

INVALID_TEXT = "invalid_text"  # the `type` of the validation error, and the code of the input error
MULTILINE = "multiline"  # json_schema_extra of a field that may hold tabs and line breaks

IdText = Annotated[str, Field(max_length=models.ID)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=models.NAME)

    @field_validator("*", mode="after")
    @classmethod
    def storable(cls, value: Any, info: Any) -> Any:
        if isinstance(value, str):
            field = cls.model_fields.get(info.field_name) if info.field_name else None
            extra = field.json_schema_extra if field is not None else None
            multiline = isinstance(extra, dict) and bool(extra.get(MULTILINE))
            bad = bad_characters(value, multiline=multiline)
            if bad:
                names = ", ".join(describe(ch) for ch in bad)
                raise PydanticCustomError(INVALID_TEXT, "text may not contain {characters}",
                                          {"characters": names, "found": "".join(bad)})
        return value
