"""French territories from the vendored Etalab "découpage administratif" (MIT).

The commune table itself lives in the database (``Commune``, loaded by a migration);
this module reads the vendored files and knows the names of départements, régions, EPCI.
"""

import gzip
import json
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
COMMUNES_FILE = DATA_DIR / "communes.tsv.gz"


@cache
def _names() -> dict:
    return json.loads((DATA_DIR / "territoires.json").read_text(encoding="utf-8"))


def departement_name(code: str) -> str:
    entry = _names()["departements"].get(code)
    return entry[0] if entry else ""


def region_name(code: str) -> str:
    return _names()["regions"].get(code, "")


def epci_name(code: str) -> str:
    entry = _names()["epci"].get(code)
    return entry[0] if entry else ""


def iter_communes():
    """Yield one dict per current commune (and municipal arrondissement)."""
    with gzip.open(COMMUNES_FILE, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            code, name, kind, dep, region, epci, postcodes, population, aliases = line.rstrip("\n").split(
                "\t"
            )
            yield {
                "code": code,
                "name": name,
                "kind": kind,
                "departement": dep,
                "region": region,
                "epci": epci,
                "postcodes": postcodes,
                "population": int(population or 0),
                "former_names": aliases,
            }


def commune_fields(row: dict) -> dict:
    """Model fields of a Commune from one row of iter_communes() (migration and tests share it)."""
    from jalon.text import normalize

    return {
        "code": row["code"],
        "name": row["name"],
        "search_name": normalize(row["name"]),
        "is_arrondissement": row["kind"] == "A",
        "departement": row["departement"],
        "region": row["region"],
        "epci": row["epci"],
        "postcodes": row["postcodes"],
        "population": row["population"],
        "former_names": row["former_names"],
    }
