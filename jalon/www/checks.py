"""System checks that stop a production start on settings that would leak or break silently.

`jalon check --deploy` runs the ones tagged `deploy` (CI runs it on production settings); the
encryption-key check runs on every start, so a wrong key fails at once and not as a 500 on the
first sensitive note.
"""

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError, connections
from django.utils.module_loading import import_string

from jalon.notifications.sms import BaseBackend

# Backends that keep messages on this machine: console and file write names, phone numbers and
# message bodies to the logs or the disk; locmem and dummy drop them.
LOCAL_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
LOCAL_SMS_BACKENDS = {
    "jalon.notifications.sms.ConsoleBackend",
    "jalon.notifications.sms.FileBackend",
    "jalon.notifications.sms.LocmemBackend",
}
# A cache each worker keeps for itself: rate limits would count per process, not per site.
LOCAL_CACHE_BACKENDS = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.filebased.FileBasedCache",
}


def encryption_key_errors(keys) -> list[Error]:
    if not keys:
        return [
            Error(
                "JALON_ENCRYPTION_KEYS est vide : les notes sensibles ne peuvent être ni lues ni écrites.",
                hint="Créez une clé avec : python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'",
                id="jalon.E001",
            )
        ]
    errors = []
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode() if isinstance(key, str) else key)
        except (ValueError, TypeError):
            # Never print the key itself: it would end in the logs.
            errors.append(
                Error(
                    f"La clé n° {position} de JALON_ENCRYPTION_KEYS n'est pas une clé Fernet valide "
                    "(32 octets encodés en base64 url-safe).",
                    hint="Vérifiez qu'elle a été copiée en entier, sans espace ni guillemet.",
                    id="jalon.E002",
                )
            )
    return errors


@register(Tags.security)
def check_encryption_keys(app_configs, **kwargs):
    return encryption_key_errors(getattr(settings, "JALON_ENCRYPTION_KEYS", []))


def keys_open_notes_errors(alias: str = "default") -> list[Error]:
    """A key of the right shape may still be the wrong one (another instance's, or the old one
    removed before `jalon rotate-keys` ran): the oldest and the newest note must open, text and
    category, or every sensitive-note page would fail."""
    from jalon.people import crypto
    from jalon.people.models import SensitiveNote

    notes = SensitiveNote.objects.using(alias).only("pk", "ciphertext", "category_ciphertext")
    try:
        sample = {
            note.pk: note for note in (notes.order_by("pk").first(), notes.order_by("-pk").first()) if note
        }
    except DatabaseError:
        # Tables not created or not migrated yet (the check runs before `migrate`): nothing to open.
        return []
    for note in sample.values():
        try:
            crypto.decrypt(note.ciphertext)
            if note.category_ciphertext:
                crypto.decrypt(note.category_ciphertext)
        except InvalidToken:
            # Never name the person nor print the key: only the note's number.
            return [
                Error(
                    f"JALON_ENCRYPTION_KEYS n'ouvre pas les notes sensibles déjà enregistrées "
                    f"(note n° {note.pk}) : ce n'est pas la clé qui les a chiffrées.",
                    hint="Remettez la clé d'origine (en première position pour chiffrer avec "
                    "une nouvelle clé, l'ancienne gardée derrière), puis `jalon rotate-keys`.",
                    id="jalon.E003",
                )
            ]
    return []


@register(Tags.security, Tags.database)
def check_keys_open_notes(app_configs, databases=None, **kwargs):
    # Database checks run with `migrate`, and with `check --database default` (docs/deploiement.md:
    # at every start, before gunicorn and the job consumer).
    if not databases or encryption_key_errors(getattr(settings, "JALON_ENCRYPTION_KEYS", [])):
        return []
    errors = []
    for alias in databases:
        if alias in connections:
            errors += keys_open_notes_errors(alias)
    return errors


@register(Tags.security, deploy=True)
def check_production_services(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    errors = []
    cache = settings.CACHES.get("default", {}).get("BACKEND", "")
    if cache in LOCAL_CACHE_BACKENDS:
        errors.append(
            Error(
                "Le cache n'est pas partagé entre les processus : les limites de débit (connexion, "
                "formulaires publics) compteraient par processus.",
                hint="Définissez REDIS_URL (par exemple redis://127.0.0.1:6379/0).",
                id="jalon.E010",
            )
        )
    if settings.EMAIL_BACKEND in LOCAL_EMAIL_BACKENDS:
        errors.append(
            Error(
                f"EMAIL_BACKEND vaut {settings.EMAIL_BACKEND} : aucun e-mail ne partirait, et les "
                "messages (noms, adresses) iraient dans les journaux ou sur le disque.",
                hint="Utilisez django.core.mail.backends.smtp.EmailBackend ou un fournisseur "
                "django-anymail (voir docs/deploiement.md).",
                id="jalon.E011",
            )
        )
    if settings.SMS_BACKEND in LOCAL_SMS_BACKENDS:
        errors.append(
            Error(
                f"SMS_BACKEND vaut {settings.SMS_BACKEND} : le texte des SMS, avec les noms et les "
                "numéros de téléphone, irait dans les journaux ou sur le disque.",
                hint="Branchez un fournisseur (voir docs/deploiement.md) ou, sans SMS, "
                "jalon.notifications.sms.DisabledBackend.",
                id="jalon.E012",
            )
        )
    else:
        try:
            backend = import_string(settings.SMS_BACKEND)
        except ImportError:
            backend = None
        if not (isinstance(backend, type) and issubclass(backend, BaseBackend)):
            errors.append(
                Error(
                    f"SMS_BACKEND vaut {settings.SMS_BACKEND} : ce n'est pas une classe de fournisseur "
                    "de SMS importable (sous-classe de jalon.notifications.sms.BaseBackend).",
                    id="jalon.E013",
                )
            )
    errors += proxy_errors()
    return errors


CLIENT_IP = "jalon.users.network.client_ip"  # the one reading of the client address


def proxy_errors() -> list[Error]:
    behind_proxy = getattr(settings, "JALON_BEHIND_PROXY", False)
    errors = []
    if behind_proxy:
        if settings.SECURE_PROXY_SSL_HEADER is None:
            errors.append(
                Error(
                    "BEHIND_PROXY est activé mais SECURE_PROXY_SSL_HEADER n'est pas défini : Django "
                    "croirait chaque requête en HTTP et la redirection HTTPS tournerait en boucle.",
                    id="jalon.E020",
                )
            )
        if (
            getattr(settings, "TRUSTED_PROXY_COUNT", 0) < 1
            or getattr(settings, "RATELIMIT_IP_META_KEY", None) != CLIENT_IP
        ):
            errors.append(
                Error(
                    "BEHIND_PROXY est activé mais l'adresse du client n'est pas lue derrière le proxy "
                    "(TRUSTED_PROXY_COUNT ≥ 1 et RATELIMIT_IP_META_KEY = jalon.users.network.client_ip) : "
                    "toutes les requêtes sembleraient venir du proxy et partageraient une seule limite.",
                    id="jalon.E021",
                )
            )
    else:
        if settings.SECURE_PROXY_SSL_HEADER is not None:
            errors.append(
                Error(
                    "SECURE_PROXY_SSL_HEADER est défini sans BEHIND_PROXY : n'importe quel client "
                    "pourrait envoyer cet en-tête et se faire passer pour une connexion HTTPS.",
                    hint="Activez BEHIND_PROXY=1 seulement derrière un proxy qui réécrit cet en-tête.",
                    id="jalon.E022",
                )
            )
        if settings.USE_X_FORWARDED_HOST:
            errors.append(
                Error(
                    "USE_X_FORWARDED_HOST est activé sans BEHIND_PROXY : un client pourrait choisir le "
                    "nom de domaine des liens envoyés par e-mail.",
                    id="jalon.E023",
                )
            )
        if getattr(settings, "TRUSTED_PROXY_COUNT", 0) > 0:
            errors.append(
                Error(
                    "TRUSTED_PROXY_COUNT est défini sans BEHIND_PROXY : un client pourrait changer "
                    "d'adresse à chaque requête (X-Forwarded-For) et échapper aux limites de débit.",
                    id="jalon.E024",
                )
            )
    return errors
