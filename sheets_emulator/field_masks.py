"""Field masks, Google's ``fields`` parameter: ``fields=sheets(properties(title,sheetId))``
answers only those fields; ``updateSheetProperties`` changes only the fields its mask names."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sheets_emulator.errors import ApiError

FieldMask = dict[str, Any]  # name -> sub-mask, or None for the whole value
_MASK_PATH = re.compile(r"[\w*]+(?:[./][\w*]+)*")


def parse_field_mask(text: str) -> FieldMask:
    """Google's field-mask syntax: paths joined by ``.`` or ``/``, separated by commas, with
    ``name(sub,fields)`` for a selection inside a field."""
    compact = re.sub(r"\s+", "", text)
    mask, position = _parse_mask_list(compact, 0)
    if position != len(compact):
        raise ApiError(400, f"Invalid field selection: {text}")
    return mask


def _parse_mask_list(text: str, position: int) -> tuple[FieldMask, int]:
    mask: FieldMask = {}
    while True:
        match = _MASK_PATH.match(text, position)
        if not match:
            raise ApiError(400, f"Invalid field selection: {text}")
        path = re.split(r"[./]", match[0])
        position = match.end()
        sub = None
        if text[position : position + 1] == "(":
            sub, position = _parse_mask_list(text, position + 1)
            if text[position : position + 1] != ")":
                raise ApiError(400, f"Invalid field selection: {text}")
            position += 1
        _merge_mask(mask, path, sub)
        if text[position : position + 1] != ",":
            return mask, position
        position += 1


def _merge_mask(mask: FieldMask, path: list[str], sub: FieldMask | None) -> None:
    node = mask
    for name in path[:-1]:
        if name in node and node[name] is None:
            return  # the whole field is already selected
        node = node.setdefault(name, {})
    leaf = path[-1]
    if leaf not in node:
        node[leaf] = sub
    elif node[leaf] is None or sub is None:
        node[leaf] = None
    else:
        for name, child in sub.items():
            _merge_mask(node[leaf], [name], child)


def apply_field_mask(value: Any, mask: FieldMask | None) -> Any:
    if mask is None or "*" in mask:
        return value
    if isinstance(value, list):
        return [apply_field_mask(item, mask) for item in value]
    if not isinstance(value, dict):
        return value
    return {name: apply_field_mask(value[name], sub) for name, sub in mask.items() if name in value}


def mask_paths(mask: FieldMask, prefix: tuple[str, ...] = ()) -> Iterable[tuple[str, ...]]:
    for name, sub in mask.items():
        if sub is None:
            yield (*prefix, name)
        else:
            yield from mask_paths(sub, (*prefix, name))
