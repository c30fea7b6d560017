"""Encryption at rest for sensitive notes (disability, health).

Keys come from JALON_ENCRYPTION_KEYS (comma-separated Fernet keys, newest first). Adding a new
key in front and running `jalon rotate-keys` re-encrypts every note with it; the old key can
then be removed.
"""

from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


@cache
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.JALON_ENCRYPTION_KEYS))


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    return fernet().decrypt(token.encode("ascii")).decode("utf-8")


def rotate(token: str) -> str:
    return fernet().rotate(token.encode("ascii")).decode("ascii")
