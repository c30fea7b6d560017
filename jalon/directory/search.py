"""French full-text search of the directory, on PostgreSQL and on SQLite.

Both sides see the same prepared text: lower-case, without accents (jalon.text.normalize: the
effect of PostgreSQL's `unaccent`, done once in Python so that no extension is needed), without
French stop words, with plurals folded to the singular (the Snowball stemmer keeps "emplois" and
"emploi" apart). Then PostgreSQL stems with its `french` configuration into stored tsvectors with
GIN indexes, and SQLite uses an FTS5 table filled with the Snowball French stems of the same words.
"""

import functools
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


@functools.lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    # The pure-Python stemmer is slow, and a file's descriptions repeat the same words: an import
    # of 2,000 services spent most of its time here.
    return _stemmer.stemWord(word)


def stems(text: str) -> list[str]:
    return [_stem(word) for word in prepare(text).split()]


# PostgreSQL: stored tsvectors (migration 0006) of the name and of the whole text, GIN-indexed.
PG_NAME, PG_ALL = "directory_service.search_name_vector", "directory_service.search_vector"
# PostgreSQL: where a service is open, as an array (migration 0008), GIN-indexed.
PG_ZONES = "jalon_service_zones(directory_service.zone_eligibilite, directory_service.commune_id)"
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


# PostgreSQL windows (_Windows): the first one's size, and the largest a second one may take.
WINDOW, MAX_WINDOW = 1000, 20000


class _Windows:
    """PostgreSQL: tiers read through windows of services in id order.

    PostgreSQL estimates a tier from each word's frequency taken alone, so several words that
    always come together ("job dating") look rare: it then reads every match from the GIN index
    and checks each row (thousands) where walking the primary key would have stopped after a few
    hundred. So a tier is first looked for in a window: the next WINDOW services by id. Each
    row's tier is computed in the select list, never used to choose the plan, so a window is read
    by primary key whatever the words. A tier found but sparse in the window gets one more
    window, sized from what the first one showed; a tier absent from it is left to the planner
    (the GIN indexes), which is right about rare words. With a commune there is no window: the
    zones' GIN index and the words' combine (BitmapAnd) and only services open there and matching
    are read (migration 0008).
    """

    def __init__(self, queryset, tiers, every):
        self.queryset, self.tiers, self.every = queryset, tiers, every
        self.cache = {}

    def read(self, after_id: int | None, size: int):
        """[(id, tier or None)] of the `size` services after `after_id`, and the last id if more."""
        key = (after_id, size)
        if key in self.cache:
            return self.cache[key]
        from .models import Service

        ahead = Service.objects.filter(pk__gt=after_id) if after_id is not None else Service.objects.all()
        edge = ahead.order_by("pk").values_list("pk", flat=True)[size - 1 : size].first()
        near = self.queryset.filter(pk__gt=after_id) if after_id is not None else self.queryset
        if edge is not None:
            near = near.filter(pk__lte=edge)
        # Most services match no word: one check sends them away before the tiers are tried.
        cases = [f"WHEN NOT ({' AND '.join(self.every[0])}) THEN NULL"]
        params = list(self.every[1])
        for number, (conditions, tier_params) in enumerate(self.tiers):
            cases.append(f"WHEN {' AND '.join(f'({c})' for c in conditions)} THEN {number}")
            params += tier_params
        checked = near.extra(select={"tier": f"CASE {' '.join(cases)} END"}, select_params=params)
        self.cache[key] = (list(checked.order_by("pk").values_list("pk", "tier")), edge)
        return self.cache[key]

    def ids(self, tier: int, after_id: int | None, need: int) -> list[int]:
        """The first `need` identifiers of tier number `tier` after `after_id`, in id order."""
        found, size, seen, hits = [], WINDOW, 0, 0
        while True:
            rows, edge = self.read(after_id, size)
            in_tier = [pk for pk, number in rows if number == tier]
            found += in_tier[: need - len(found)]
            if len(found) == need or edge is None:
                return found
            seen, hits, after_id = seen + len(rows), hits + len(in_tier), edge
            size = (need - len(found)) * 3 * seen // hits if hits else MAX_WINDOW + 1
            if size > MAX_WINDOW or size <= 0:
                break
        # Sparse: the rest as the planner sees fit (the GIN indexes, mostly).
        return found + list(
            _in_tier(self.queryset, self.tiers[tier], after_id).values_list("pk", flat=True)[
                : need - len(found)
            ]
        )


def matching(queryset, query: str):
    """`queryset` narrowed to the services matching every word of `query` (in no particular order)."""
    words = prepare(query).split()
    if not words:
        return queryset.none()
    return _in_tier(queryset, _every(words))


def _every(words: list[str]) -> tuple[list[str], list]:
    """The condition "every word, anywhere" and its parameters."""
    if connection.vendor == "postgresql":
        return [f"{PG_ALL} @@ to_tsquery('french', %s)"], [" & ".join(f"'{w}'" for w in words)]
    return [f"{FTS_TABLE} MATCH %s"], [" AND ".join(f'"{w}"' for w in _stemmer.stemWords(words))]


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


def zone_codes(commune) -> list[str]:
    """The ServiceZone codes that cover `commune`: itself, its EPCI, its département, France."""
    return [c for c in (commune.code, commune.epci, commune.departement, "france", "99100") if c]


def eligible_in(queryset, commune):
    """Services whose zone_eligibilite covers `commune` (its code, EPCI, département, or France).

    A service that gives no zone is kept only in its own département: a territory filter must
    never return a service whose zone leaves that commune out.
    """
    from .models import ServiceZone

    codes = zone_codes(commune)
    if connection.vendor == "postgresql":
        # The GIN index of migration 0008: combined with the words' own GIN indexes (BitmapAnd),
        # only services open here and matching the words are read.
        return queryset.extra(
            where=[f"{PG_ZONES} && %s::text[]"],
            params=[codes],
        )
    # One semi-join (a service without zone has its département's row, see eligibility_codes).
    return queryset.filter(pk__in=ServiceZone.objects.filter(code__in=codes).values("service_id"))


def _encode(key) -> str:
    import base64
    import json

    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def _decode(after: str):
    import base64
    import json

    if not after:
        return None
    try:
        cursor = json.loads(base64.urlsafe_b64decode(after + "=" * (-len(after) % 4)))
    except (ValueError, TypeError):
        return None
    return cursor if isinstance(cursor, list) and len(cursor) in (2, 3) else None


def search_page(
    queryset, query: str = "", *, after: str = "", size: int = 20, commune=None, radius_km: int | None = None
):
    """One page of results and the cursor of the next: by relevance tier then id, or by name then id.

    Relevance is the tier of `_tiers` (the words in the name come first). Keyset
    pagination: the next page starts strictly after the last (tier, id) or (name, id) seen, so
    page 50 costs what page 1 costs, and a frequent word ("emploi": one service in seven) costs
    what a rare one costs: no query ranks every match to show twenty. `commune` keeps the
    services whose zone covers it (eligible_in); `radius_km` keeps, among them, those located
    within that distance of the commune, ordered by tier then distance (see `_radius_page`).
    """
    cursor = _decode(after)
    if commune is not None:
        queryset = eligible_in(queryset, commune)
        if radius_km:
            return _radius_page(queryset, query, cursor, size, commune, radius_km)
    words = prepare(query).split()
    if words:
        tiers = _tiers(words)
        first, after_id = 0, None
        if (
            cursor
            and len(cursor) == 2
            and all(isinstance(v, int) for v in cursor)
            and 0 <= cursor[0] < len(tiers)
        ):
            first, after_id = cursor
        # Identifiers first, tier by tier, without the joins of `queryset` (select_related).
        windows = (
            _Windows(queryset, tiers, _every(words))
            if connection.vendor == "postgresql" and commune is None
            else None
        )
        found = []
        for tier in range(first, len(tiers)):
            start, need = (after_id if tier == first else None), size + 1 - len(found)
            if windows:
                ids = windows.ids(tier, start, need)
            else:
                # SQLite reads FTS5 in rowid order and stops at the page's last row; PostgreSQL
                # with a commune combines the zones' and the words' GIN indexes.
                ids = list(_in_tier(queryset, tiers[tier], start).values_list("pk", flat=True)[:need])
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
        if cursor and len(cursor) == 2 and isinstance(cursor[0], str) and isinstance(cursor[1], int):
            from django.db.models import Q

            queryset = queryset.filter(Q(nom__gt=cursor[0]) | Q(nom=cursor[0], pk__gt=cursor[1]))
        rows = list(queryset.order_by("nom", "pk")[: size + 1])
        key = lambda s: [s.nom, s.pk]  # noqa: E731
    more = len(rows) > size
    rows = rows[:size]
    return rows, (_encode(key(rows[-1])) if more and rows else None)


def _radius_page(queryset, query: str, cursor, size: int, commune, radius_km: int):
    """Services within `radius_km` of `commune`: by tier, then distance, then id.

    The commune's position is the mean of the directory's geolocated places there (jalon.
    directory.geo); without any, geo.NoPosition. Services without coordinates are left out, as
    the search by distance promises. The candidates are those of a box around the circle (an
    index range on the coordinates), sorted in Python: the radius is capped (geo.MAX_RADIUS_KM),
    so they stay a bounded share of the directory. The cursor is (tier, metres, id).
    """
    from . import geo

    position = geo.origin(commune)
    if position is None:
        raise geo.NoPosition(commune)
    lat, lon = position
    radius_km = min(radius_km, geo.MAX_RADIUS_KM)
    south, north, west, east = geo.box(lat, lon, radius_km)
    near = queryset.filter(latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east)
    words = prepare(query).split()
    if query.strip() and not words:
        return [], None
    tiers = _tiers(words) if words else [([], [])]
    candidates = []
    for tier, conditions in enumerate(tiers):
        tiered = _in_tier(near, conditions).order_by() if words else near
        for pk, plat, plon in tiered.values_list("pk", "latitude", "longitude"):
            metres = round(geo.distance_km(lat, lon, plat, plon) * 1000)
            if metres <= radius_km * 1000:
                candidates.append((tier, metres, pk))
    candidates.sort()
    if cursor and len(cursor) == 3 and all(isinstance(v, int) for v in cursor):
        candidates = [c for c in candidates if c > tuple(cursor)]
    page = candidates[: size + 1]
    services = queryset.in_bulk([pk for _, _, pk in page])
    rows = []
    for tier, metres, pk in page[:size]:
        service = services[pk]
        service.tier, service.distance_km = tier, metres / 1000
        rows.append(service)
    more = len(page) > size
    return rows, (_encode(list(page[size - 1])) if more and rows else None)
