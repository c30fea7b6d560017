"""Keyset pagination on (search_name, id): the same cost on page 1 and page 40,000."""

import base64
import json
from dataclasses import dataclass


def encode_cursor(name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([name, pk]).encode()).decode().rstrip("=")


def decode_cursor(raw: str) -> tuple[str, int] | None:
    if not raw:
        return None
    try:
        name, pk = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        return str(name), int(pk)
    except (ValueError, TypeError):
        return None


@dataclass
class Page:
    items: list
    next_cursor: str | None
    prev_cursor: str | None


def keyset_page(
    queryset, *, after: str = "", before: str = "", size: int = 25, key: str = "search_name"
) -> Page:
    after_key, before_key = decode_cursor(after), decode_cursor(before)
    if before_key:
        name, pk = before_key
        rows = list(
            queryset.filter(**{f"{key}__lte": name})
            .exclude(**{key: name, "pk__gte": pk})
            .order_by(f"-{key}", "-pk")[: size + 1]
        )
        has_more_before = len(rows) > size
        rows = list(reversed(rows[:size]))
        return Page(
            items=rows,
            next_cursor=encode_cursor(getattr(rows[-1], key), rows[-1].pk) if rows else None,
            prev_cursor=encode_cursor(getattr(rows[0], key), rows[0].pk)
            if rows and has_more_before
            else None,
        )
    if after_key:
        name, pk = after_key
        queryset = queryset.filter(**{f"{key}__gte": name}).exclude(**{key: name, "pk__lte": pk})
    rows = list(queryset.order_by(key, "pk")[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    return Page(
        items=rows,
        next_cursor=encode_cursor(getattr(rows[-1], key), rows[-1].pk) if rows and has_more else None,
        prev_cursor=encode_cursor(getattr(rows[0], key), rows[0].pk) if rows and after_key else None,
    )


def capped_count(queryset, cap: int = 1000) -> tuple[int, bool]:
    """Count at most `cap` + 1 rows: exact for small lists, "more than cap" for huge ones."""
    count = queryset.order_by().values("pk")[: cap + 1].count()
    return min(count, cap), count > cap
