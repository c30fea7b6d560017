"""French full-text search of the directory, on PostgreSQL and on SQLite.

Both sides see the same prepared text: lower-case, without accents (jalon.text.normalize: the
effect of PostgreSQL's `unaccent`, done once in Python so that no extension is needed), without
French stop words, with plurals folded to the singular (the Snowball stemmer keeps "emplois" and
"emploi" apart). Then PostgreSQL stems with its `french` configuration over a GIN expression index,
and SQLite uses an FTS5 table filled with the Snowball French stems of the same words.
"""

import re

import snowballstemmer
from django.db import connection

from jalon.text import normalize

STOP_WORDS = set(
    "a au aux avec ce ces dans de des du elle en et eux il je la le les leur lui ma mais me meme mes moi "
    "mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une "
    "vos votre vous c d j l n s t y ete etre avoir est sont".split()
)
_stemmer = snowballstemmer.stemmer("french")
_token = re.compile(r"\w+")


def _singular(word: str) -> str:
    if len(word) > 3 and word[-1] in "sx" and not word.endswith("ss"):
        return word[:-1]
    return word


def prepare(text: str) -> str:
    """The words a document or a query is searched by (before stemming)."""
    words = _token.findall(normalize(text).replace(".", " ").replace("@", " "))
    return " ".join(_singular(w) for w in words if w not in STOP_WORDS)


def stems(text: str) -> list[str]:
    return _stemmer.stemWords(prepare(text).split())


PG_VECTOR = (
    "(setweight(to_tsvector('french', directory_service.search_name), 'A') || "
    "setweight(to_tsvector('french', directory_service.search_body), 'B'))"
)
FTS_TABLE = "directory_service_fts"


def sync_index(services) -> None:
    """SQLite only: the FTS5 table holds the stems of each service (PostgreSQL indexes the columns)."""
    if connection.vendor != "sqlite":
        return
    rows = [(s.pk, " ".join(stems(s.search_name)), " ".join(stems(s.search_body))) for s in services]
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(pk,) for pk, _, _ in rows])
        cursor.executemany(f"INSERT INTO {FTS_TABLE} (rowid, name, body) VALUES (%s, %s, %s)", rows)


def matching(queryset, query: str):
    """`queryset` narrowed to the services matching `query`, annotated with `rank` (higher is better)."""
    words = prepare(query)
    if not words:
        return queryset.none()
    if connection.vendor == "postgresql":
        tsquery = "plainto_tsquery('french', %s)"
        return queryset.extra(
            select={"rank": f"ts_rank({PG_VECTOR}, {tsquery})"},
            select_params=[words],
            where=[f"{PG_VECTOR} @@ {tsquery}"],
            params=[words],
        )
    match = " ".join(f'"{stem}"' for stem in _stemmer.stemWords(words.split()))
    # bm25() is lower for better matches; the name counts four times the description.
    return queryset.extra(
        select={
            "rank": f"(SELECT -bm25({FTS_TABLE}, 4.0, 1.0) FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s AND rowid = directory_service.id)"
        },
        select_params=[match],
        where=[f"directory_service.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)"],
        params=[match],
    )


def eligible_in(queryset, commune):
    """Services whose zone_eligibilite covers `commune` (its code, EPCI, département, or France).

    A service that gives no zone is kept only in its own département: a territory filter must
    never return a service whose zone leaves that commune out.
    """
    from django.db.models import Exists, OuterRef, Q

    from .models import ServiceZone

    codes = [c for c in (commune.code, commune.epci, commune.departement, "france", "99100") if c]
    covered = Exists(ServiceZone.objects.filter(service=OuterRef("pk"), code__in=codes))
    zoned = Exists(ServiceZone.objects.filter(service=OuterRef("pk")))
    return queryset.filter(covered | (~zoned & Q(commune__departement=commune.departement)))


def _rank_sql(words: str) -> tuple[str, list]:
    if connection.vendor == "postgresql":
        return f"ts_rank({PG_VECTOR}, plainto_tsquery('french', %s))", [words]
    match = " ".join(f'"{stem}"' for stem in _stemmer.stemWords(words.split()))
    return (
        f"(SELECT -bm25({FTS_TABLE}, 4.0, 1.0) FROM {FTS_TABLE} "
        f"WHERE {FTS_TABLE} MATCH %s AND rowid = directory_service.id)",
        [match],
    )


def search_page(queryset, query: str = "", *, after: str = "", size: int = 20):
    """One page of results and the cursor of the next: by relevance then id, or by name then id.

    Keyset pagination: the next page starts strictly after the last (rank, id) or (name, id)
    seen, so page 50 costs what page 1 costs and nothing is skipped or repeated.
    """
    import base64
    import json

    cursor = None
    if after:
        try:
            cursor = json.loads(base64.urlsafe_b64decode(after + "=" * (-len(after) % 4)))
        except (ValueError, TypeError):
            cursor = None
    if prepare(query):
        queryset = matching(queryset, query)
        if cursor:
            rank_sql, params = _rank_sql(prepare(query))
            # ts_rank() is a real: the cursor's value must be compared as a real too.
            value = "CAST(%s AS real)" if connection.vendor == "postgresql" else "%s"
            queryset = queryset.extra(
                where=[f"({rank_sql} < {value} OR ({rank_sql} = {value} AND directory_service.id > %s))"],
                params=[*params, cursor[0], *params, cursor[0], cursor[1]],
            )
        rows = list(queryset.order_by("-rank", "pk")[: size + 1])
        key = lambda s: [s.rank, s.pk]  # noqa: E731
    else:
        if query.strip():
            return [], None
        if cursor:
            from django.db.models import Q

            queryset = queryset.filter(Q(nom__gt=cursor[0]) | Q(nom=cursor[0], pk__gt=cursor[1]))
        rows = list(queryset.order_by("nom", "pk")[: size + 1])
        key = lambda s: [s.nom, s.pk]  # noqa: E731
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = None
    if more and rows:
        next_cursor = base64.urlsafe_b64encode(json.dumps(key(rows[-1])).encode()).decode().rstrip("=")
    return rows, next_cursor
