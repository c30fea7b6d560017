"""Keyset pagination on (search_name, id): the same cost on page 1 and page 40,000."""

import base64
import json
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet


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
    return merged_keyset_page([(queryset, key)], after=after, before=before, size=size)


def merged_keyset_page(arms: list[tuple], *, after: str = "", before: str = "", size: int = 25) -> Page:
    """Keyset pagination over several disjoint querysets, each ordered by its own indexed key.

    A name search matches the last name OR the first name. One ORDER BY over that OR either walks
    the structure's whole name index (SQLite: 2.6 s for a name nobody has, at 1 million people)
    or sorts every match (PostgreSQL; SQLite with statistics). Here each arm is a range scan on
    its own index that stops after `size` + 1 rows; rows are merged here on (key value, pk).
    """
    after_key, before_key = decode_cursor(after), decode_cursor(before)
    rows = []
    if before_key:
        name, pk = before_key
        for queryset, key in arms:
            arm = (
                queryset.filter(**{f"{key}__lte": name})
                .exclude(**{key: name, "pk__gte": pk})
                .order_by(f"-{key}", "-pk")[: size + 1]
            )
            rows.extend(_keyed(arm, key))
        rows.sort(key=_sort_key, reverse=True)
        has_more_before = len(rows) > size
        rows = list(reversed(rows[:size]))
        return Page(
            items=rows,
            next_cursor=_cursor(rows[-1]) if rows else None,
            prev_cursor=_cursor(rows[0]) if rows and has_more_before else None,
        )
    for queryset, key in arms:
        if after_key:
            name, pk = after_key
            queryset = queryset.filter(**{f"{key}__gte": name}).exclude(**{key: name, "pk__lte": pk})
        rows.extend(_keyed(queryset.order_by(key, "pk")[: size + 1], key))
    rows.sort(key=_sort_key)
    has_more = len(rows) > size
    rows = rows[:size]
    return Page(
        items=rows,
        next_cursor=_cursor(rows[-1]) if rows and has_more else None,
        prev_cursor=_cursor(rows[0]) if rows and after_key else None,
    )


def _keyed(rows, key: str) -> list:
    rows = list(rows)
    for row in rows:
        row.page_key = getattr(row, key)
    return rows


def _sort_key(row):
    return (row.page_key, row.pk)


def _cursor(row) -> str:
    return encode_cursor(row.page_key, row.pk)


def capped_count(queryset, cap: int = 1000) -> tuple[int, bool]:
    """Count at most `cap` + 1 rows: exact for small lists, "more than cap" for huge ones."""
    count = queryset.order_by().values("pk")[: cap + 1].count()
    return min(count, cap), count > cap


def capped_counts(counts: list[tuple[QuerySet, int | None]]) -> list[tuple[int, bool]]:
    """Several capped_count()s in one query, one round trip: [(queryset, cap)] -> [(count, more)].
    A cap of None counts exactly (more is then False). Each count is a scalar subquery, planned
    on its own as if it ran alone."""
    if not counts:
        return []
    parts, params, empty = [], [], set()
    for i, (queryset, cap) in enumerate(counts):
        rows = queryset.order_by().values("pk")
        if cap is not None:
            rows = rows[: cap + 1]
        try:
            sql, sql_params = rows.query.get_compiler(using=rows.db).as_sql()
        except EmptyResultSet:  # e.g. pk__in=[]: nothing to count, nothing to ask the database
            empty.add(i)
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) capped_{i})")
        params.extend(sql_params)
    values = iter([])
    if parts:
        with connections[counts[0][0].db].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            values = iter(cursor.fetchone())
    result = []
    for i, (_, cap) in enumerate(counts):
        count = 0 if i in empty else next(values)
        result.append((count, False) if cap is None else (min(count, cap), count > cap))
    return result
