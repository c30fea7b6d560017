from typing import Any

from ninja import Field, Schema
from ninja.pagination import PaginationBase

from jalon.www.pagination import keyset_page


class KeysetPagination(PaginationBase):
    """Cursor pagination on (search_name, id), like the pages: constant cost at any depth."""

    class Input(Schema):
        apres: str = Field("", description="Curseur renvoyé par la page précédente (`suivant`).")
        taille: int = Field(50, ge=1, le=200)

    class Output(Schema):
        items: list[Any]
        suivant: str | None

    items_attribute = "items"

    def paginate_queryset(self, queryset, pagination: Input, **params):
        page = keyset_page(queryset, after=pagination.apres, size=pagination.taille)
        return {"items": page.items, "suivant": page.next_cursor}
