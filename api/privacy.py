"""Personal data in responses (domain.md §4a): resident ID and mobile numbers masked in every
string a registry response carries — ids, names, audit before/after alike."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from orgmodel.masking import mask_text

M = TypeVar("M", bound=BaseModel)


def masked_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {key: masked_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [masked_value(item) for item in value]
    return value


def masked(view: M) -> M:
    """The view with every ID or mobile number in it masked."""
    return type(view).model_validate(masked_value(view.model_dump()))


def masked_all(views: list[M]) -> list[M]:
    return [masked(view) for view in views]
