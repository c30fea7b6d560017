"""French full-text search of the directory, on PostgreSQL and on SQLite.

Both sides see the same prepared text: lower-case, without accents (jalon.text.normalize: the
effect of PostgreSQL's `unaccent`, done once in Python so that no extension is needed), without
French stop words, with plurals folded to the singular (the Snowball stemmer keeps "emplois" and
"emploi" apart). Then PostgreSQL stems with its `french` configuration into stored tsvectors with
GIN indexes, and SQLite uses an FTS5 table filled with the Snowball French stems of the same words.
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


# PostgreSQL: stored tsvectors (migration 0006) of the name and of the whole text, GIN-indexed.
PG_NAME, PG_ALL = "directory_service.search_name_vector", "directory_service.search_vector"
FTS_TABLE = "directory_service_fts"


def sync_index(services) -> None:
    """SQLite only: the FTS5 table holds the stems of each service (PostgreSQL indexes the columns)."""
    if connection.vendor != "sqlite":
        return
    rows = [(s.pk, " ".join(stems(s.search_name)), " ".join(stems(s.search_body))) for s in services]
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(pk,) for pk, _, _ in rows])
        cursor.executemany(f"INSERT INTO {FTS_TABLE} (rowid, name, body) VALUES (%s, %s, %s)", rows)


def _tiers(words: list[str]) -> list[tuple[list[str], list]]:
    """The relevance tiers of a query, best first, each as SQL conditions and their parameters.

    Every tier asks for all the words, anywhere; then, best first: the words as a phrase in the
    name (several words only), all of them in the name, some of them in the name, none in the
    name. Each tier excludes the ones above it, so a service is in exactly one tier and the union
    is every match.
    """
    if connection.vendor == "postgresql":
        # Quoted lexemes for to_tsquery (prepare() leaves only word characters: nothing to escape).
        quoted = [f"'{w}'" for w in words]
        every, phrase = " & ".join(quoted), " <-> ".join(quoted)
        some = " | ".join(quoted)

        def on(column, query):
            return f"{column} @@ to_tsquery('french', %s)", query

        def tier(*conditions):
            return [c for c, _ in conditions], [q for _, q in conditions]

        if len(words) == 1:
            return [
                tier(on(PG_NAME, every)),
                tier(on(PG_ALL, every), (f"NOT {PG_NAME} @@ to_tsquery('french', %s)", every)),
            ]
        return [
            tier(on(PG_NAME, phrase)),
            tier(on(PG_NAME, f"({every}) & !({phrase})")),
            tier(on(PG_ALL, every), on(PG_NAME, f"({some}) & !({every})")),
            tier(on(PG_ALL, every), (f"NOT {PG_NAME} @@ to_tsquery('french', %s)", some)),
        ]
    stemmed = [f'"{w}"' for w in _stemmer.stemWords(words)]
    every = " AND ".join(stemmed)
    in_name = "{name}: (%s)"
    if len(words) == 1:
        expressions = [in_name % every, f"({every}) NOT {in_name % every}"]
    else:
        phrase = '{name}: "' + " ".join(w.strip('"') for w in stemmed) + '"'
        some = " OR ".join(stemmed)
        expressions = [
            phrase,
            f"{in_name % every} NOT {phrase}",
            f"({every}) AND {in_name % some} NOT {in_name % every}",
            f"({every}) NOT {in_name % some}",
        ]
    return [([f"{FTS_TABLE} MATCH %s"], [e]) for e in expressions]


def _in_tier(queryset, tier: tuple[list[str], list], after_id: int | None = None):
    """`queryset` narrowed to one tier, in id order, starting after `after_id`.

    SQLite: the FTS5 table is joined and the order is its rowid, so the planner reads the
    postings list in order and stops at the page's last row, however frequent the word.
    PostgreSQL: the planner reads the primary key in order when matches are many (checking each
    row's stored vector) and the GIN indexes when they are few.
    """
    where, params = list(tier[0]), list(tier[1])
    if connection.vendor == "postgresql":
        if after_id is not None:
            queryset = queryset.filter(pk__gt=after_id)
        return queryset.extra(where=where, params=params).order_by("pk")
    where.append(f"{FTS_TABLE}.rowid = directory_service.id")
    if after_id is not None:
        where.append(f"{FTS_TABLE}.rowid > %s")
        params.append(after_id)
    return queryset.extra(tables=[FTS_TABLE], where=where, params=params, order_by=[f"{FTS_TABLE}.rowid"])


WINDOW = 1000


def _tier_ids(queryset, tier, after_id: int | None, need: int) -> list[int]:
    """The first `need` identifiers of a tier after `after_id`, in id order.

    PostgreSQL estimates a tier from each word's frequency taken alone, so several words that
    always come together ("job dating") look rare: it then reads every match from the GIN index
    and checks each row (thousands) where walking the primary key would have stopped after a few
    hundred. So it checks the next WINDOW services first, and only when the tier is sparse there
    does it ask for the rest. SQLite's FTS5 read in rowid order needs none of this.
    """
    if connection.vendor != "postgresql":
        return list(_in_tier(queryset, tier, after_id).values_list("pk", flat=True)[:need])
    from .models import Service

    ahead = Service.objects.filter(pk__gt=after_id) if after_id is not None else Service.objects.all()
    edge = ahead.order_by("pk").values_list("pk", flat=True)[WINDOW - 1 : WINDOW].first()
    near = _in_tier(queryset, tier, after_id)
    if edge is not None:
        near = near.filter(pk__lte=edge)
    ids = list(near.values_list("pk", flat=True)[:need])
    if len(ids) == need or edge is None:
        return ids
    # Sparse in the window: the rest as the planner sees fit (the GIN indexes, mostly).
    ids += _in_tier(queryset, tier, edge).values_list("pk", flat=True)[: need - len(ids)]
    return ids


def matching(queryset, query: str):
    """`queryset` narrowed to the services matching every word of `query` (in no particular order)."""
    words = prepare(query).split()
    if not words:
        return queryset.none()
    if connection.vendor == "postgresql":
        every = ([f"{PG_ALL} @@ to_tsquery('french', %s)"], [" & ".join(f"'{w}'" for w in words)])
    else:
        every = ([f"{FTS_TABLE} MATCH %s"], [" AND ".join(f'"{w}"' for w in _stemmer.stemWords(words))])
    return _in_tier(queryset, every)


def narrowed(queryset, *, kind="", public="", frais="", niveau=None, accueil=""):
    """The filters of the case workers' page, of the public page and of the API, in one place."""
    from django.db.models import Q

    if kind:
        queryset = queryset.filter(kind=kind)
    if frais:
        queryset = queryset.filter(frais=frais)
    if niveau:
        queryset = queryset.filter(niveau=niveau)
    # Lists of codes stored as JSON: the quoted code matches one whole element on both databases.
    if public:
        # A service for everyone serves this public too.
        queryset = queryset.filter(
            Q(publics__icontains=f'"{public}"') | Q(publics__icontains='"tous-publics"')
        )
    if accueil:
        queryset = queryset.filter(modes_accueil__icontains=f'"{accueil}"')
    return queryset


def eligible_in(queryset, commune):
    """Services whose zone_eligibilite covers `commune` (its code, EPCI, département, or France).

    A service that gives no zone is kept only in its own département: a territory filter must
    never return a service whose zone leaves that commune out.
    """
    from .models import ServiceZone

    codes = [c for c in (commune.code, commune.epci, commune.departement, "france", "99100") if c]
    # One semi-join (a service without zone has its département's row, see eligibility_codes).
    return queryset.filter(pk__in=ServiceZone.objects.filter(code__in=codes).values("service_id"))


def search_page(queryset, query: str = "", *, after: str = "", size: int = 20):
    """One page of results and the cursor of the next: by relevance tier then id, or by name then id.

    Relevance is the tier of `_tiers` (the words in the name come first). Keyset
    pagination: the next page starts strictly after the last (tier, id) or (name, id) seen, so
    page 50 costs what page 1 costs, and a frequent word ("emploi": one service in seven) costs
    what a rare one costs: no query ranks every match to show twenty.
    """
    import base64
    import json

    cursor = None
    if after:
        try:
            cursor = json.loads(base64.urlsafe_b64decode(after + "=" * (-len(after) % 4)))
            if not (isinstance(cursor, list) and len(cursor) == 2):
                cursor = None
        except (ValueError, TypeError):
            cursor = None
    words = prepare(query).split()
    if words:
        tiers = _tiers(words)
        first, after_id = 0, None
        if cursor and all(isinstance(v, int) for v in cursor) and 0 <= cursor[0] < len(tiers):
            first, after_id = cursor
        # Identifiers first, tier by tier, without the joins of `queryset` (select_related).
        found = []
        for tier in range(first, len(tiers)):
            ids = _tier_ids(queryset, tiers[tier], after_id if tier == first else None, size + 1 - len(found))
            found += [(tier, pk) for pk in ids]
            if len(found) > size:
                break
        services = queryset.in_bulk([pk for _, pk in found])
        rows = []
        for tier, pk in found:
            service = services[pk]
            service.tier = tier
            rows.append(service)
        key = lambda s: [s.tier, s.pk]  # noqa: E731
    else:
        if query.strip():
            return [], None
        if cursor and isinstance(cursor[0], str) and isinstance(cursor[1], int):
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
