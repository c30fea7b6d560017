"""Streamed authenticated encryption for backup archives.

Fernet encrypts one token in memory; a database dump can be gigabytes. The archive is cut into
chunks of CHUNK_SIZE bytes, each sealed with AES-256-GCM under a key derived (HKDF) from
JALON_BACKUP_KEY and a random per-archive salt. A chunk's counter and a "last chunk" flag are in
its authenticated data, so chunks cannot be reordered, dropped or the archive cut short unseen.

File layout: MAGIC | salt (16) | key check (16) | then per chunk: length (4, big-endian) | sealed.
The key check tells a wrong key ("mauvaise clé") apart from a damaged archive.
"""

import base64
import binascii
import hmac
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"JALONBK1"
SALT_SIZE = 16
CHECK_SIZE = 16
HEADER_SIZE = len(MAGIC) + SALT_SIZE + CHECK_SIZE
CHUNK_SIZE = 1024 * 1024
TAG_SIZE = 16


class BackupKeyError(Exception):
    """The key is missing, malformed or not the one the archive was made with."""


class CorruptArchive(Exception):
    """The archive was damaged, truncated or tampered with."""


def generate_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def decode_key(value: str) -> bytes:
    """JALON_BACKUP_KEY: 32 random bytes in url-safe base64 (the format of `jalon backup --generate-key`)."""
    try:
        raw = base64.urlsafe_b64decode(value.strip().encode())
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise BackupKeyError(
            "JALON_BACKUP_KEY n'est pas une clé valide : 32 octets encodés en base64 url-safe "
            "(créez-en une avec « jalon backup --generate-key »)."
        )
    return raw


def _derive(master: bytes, salt: bytes) -> tuple[bytes, bytes]:
    material = HKDF(algorithm=hashes.SHA256(), length=64, salt=salt, info=b"jalon backup v1").derive(master)
    return material[:32], material[32:]


def _nonce(counter: int) -> bytes:
    return b"\0\0\0\0" + struct.pack(">Q", counter)


def _aad(header: bytes, counter: int, last: bool) -> bytes:
    return header + struct.pack(">Q?", counter, last)


class EncryptingWriter:
    """A write-only file object: what is written goes out encrypted, one chunk at a time."""

    def __init__(self, raw, master_key: bytes):
        self.raw = raw
        salt = os.urandom(SALT_SIZE)
        key, check_key = _derive(master_key, salt)
        self.aead = AESGCM(key)
        check = hmac.new(check_key, b"key check", "sha256").digest()[:CHECK_SIZE]
        self.header = MAGIC + salt + check
        raw.write(self.header)
        self.buffer = bytearray()
        self.counter = 0
        self.closed = False

    def write(self, data) -> int:
        self.buffer += data
        while len(self.buffer) > CHUNK_SIZE:
            self._seal(bytes(self.buffer[:CHUNK_SIZE]), last=False)
            del self.buffer[:CHUNK_SIZE]
        return len(data)

    def _seal(self, chunk: bytes, *, last: bool) -> None:
        sealed = self.aead.encrypt(_nonce(self.counter), chunk, _aad(self.header, self.counter, last))
        self.raw.write(struct.pack(">I", len(sealed)) + sealed)
        self.counter += 1

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self.buffer), last=True)
            self.buffer = bytearray()
            self.closed = True

    def flush(self) -> None:
        pass


class DecryptingReader:
    """A read-only file object over an archive; each chunk is checked before a byte is given out."""

    def __init__(self, raw, master_key: bytes):
        self.raw = raw
        header = raw.read(HEADER_SIZE)
        if len(header) < HEADER_SIZE or not header.startswith(MAGIC):
            raise CorruptArchive("Ce fichier n'est pas une sauvegarde Jalon, ou son début est abîmé.")
        salt = header[len(MAGIC) : len(MAGIC) + SALT_SIZE]
        key, check_key = _derive(master_key, salt)
        expected = hmac.new(check_key, b"key check", "sha256").digest()[:CHECK_SIZE]
        if not hmac.compare_digest(expected, header[-CHECK_SIZE:]):
            raise BackupKeyError("La clé de sauvegarde (JALON_BACKUP_KEY) n'est pas celle de cette archive.")
        self.header = header
        self.aead = AESGCM(key)
        self.counter = 0
        self.buffer = bytearray()
        self.finished = False

    def _next_chunk(self) -> None:
        length_bytes = self.raw.read(4)
        if len(length_bytes) < 4:
            raise CorruptArchive("L'archive est incomplète (coupée avant la fin).")
        (length,) = struct.unpack(">I", length_bytes)
        if length < TAG_SIZE or length > CHUNK_SIZE + TAG_SIZE:
            raise CorruptArchive("L'archive est abîmée (taille de bloc impossible).")
        sealed = self.raw.read(length)
        if len(sealed) < length:
            raise CorruptArchive("L'archive est incomplète (coupée avant la fin).")
        for last in (False, True):
            try:
                plain = self.aead.decrypt(_nonce(self.counter), sealed, _aad(self.header, self.counter, last))
            except InvalidTag:
                continue
            self.counter += 1
            self.buffer += plain
            self.finished = last
            return
        raise CorruptArchive("L'archive est abîmée ou a été modifiée (contrôle d'intégrité en échec).")

    def read(self, size: int = -1) -> bytes:
        while not self.finished and (size < 0 or len(self.buffer) < size):
            self._next_chunk()
        if size < 0:
            size = len(self.buffer)
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    def read_to_end(self) -> None:
        """Check the rest of the archive: every chunk, the last one, nothing after it."""
        while not self.finished:
            self._next_chunk()
            self.buffer.clear()
        if self.raw.read(1):
            raise CorruptArchive("L'archive contient des données après sa fin.")
