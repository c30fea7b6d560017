"""SMS providers behind one small interface. Demo and tests never send anything."""

import json
import sys
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsError(Exception):
    pass


class BaseBackend:
    def send(self, *, to: str, body: str) -> str:
        """Send one SMS; return the provider's id. Raise SmsError on failure."""
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    def send(self, *, to, body):
        sys.stdout.write(f"--- SMS to {to} ---\n{body}\n")
        return "console"


class FileBackend(BaseBackend):
    def send(self, *, to, body):
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        name = timezone.now().strftime("%Y%m%d-%H%M%S-%f") + ".json"
        (folder / name).write_text(json.dumps({"to": to, "body": body}, ensure_ascii=False), encoding="utf-8")
        return name


class DisabledBackend(BaseBackend):
    """For an instance that sends no SMS: each one fails and shows as such in the outbox.

    Nothing is written anywhere, so no phone number or message body reaches the logs.
    A real provider is a subclass of BaseBackend named in SMS_BACKEND (see docs/deploiement.md).
    """

    def send(self, *, to, body):
        raise SmsError("Aucun fournisseur de SMS n'est configuré sur cette instance.")


class LocmemBackend(BaseBackend):
    """Keeps messages in memory for tests (like Django's locmem e-mail backend)."""

    outbox: list[dict] = []

    def send(self, *, to, body):
        LocmemBackend.outbox.append({"to": to, "body": body})
        return f"locmem-{len(LocmemBackend.outbox)}"


def get_backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()
