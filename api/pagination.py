"""Pages of the API's lists: `?page=` and `?page_size=` (at most 100), with the total count.

Bounded on both sides so that no page number reaches the database as an offset it cannot
hold. A page costs the list's own queries plus one count, whatever its number.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

DEFAULT_PAGE_SIZE = 50
MOST_PAGE_SIZE = 100
LAST_PAGE = 100_000


class Paged(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, le=LAST_PAGE)
        page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MOST_PAGE_SIZE)

    class Output(Schema):
        items: list[Any]
        count: int = Field(description="Items on every page together.")
        page: int
        pages: int = Field(description="How many pages there are at this page size.")

    def paginate_queryset(
        self, queryset: Any, pagination: Input, request: HttpRequest, **params: Any
    ) -> Any:
        offset = (pagination.page - 1) * pagination.page_size
        count = self._items_count(queryset)
        return {
            "items": queryset[offset : offset + pagination.page_size],
            "count": count,
            "page": pagination.page,
            "pages": max(1, -(-count // pagination.page_size)),
        }
