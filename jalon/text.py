import re
import unicodedata


def normalize(value: str) -> str:
    """Lower-case, accent-free, single-spaced: the form names are searched in."""
    value = unicodedata.normalize("NFKD", value or "")
    value = "".join(c for c in value if not unicodedata.combining(c))
    value = re.sub(r"[^\w@.+]+", " ", value.lower())
    return " ".join(value.split())
