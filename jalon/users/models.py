import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("L'adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A staff account; people followed by structures are `people.Person`, not users."""

    username = None
    email = models.EmailField(_("adresse e-mail"), unique=True)
    current_structure = models.ForeignKey(
        "structures.Structure", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur·rice")

    def __str__(self):
        return self.get_full_name() or self.email


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class TokenScope(models.TextChoices):
    # OAuth-style space-separated scopes: "read write" can do both.
    READ = "read", _("Lecture seule")
    READ_WRITE = "read write", _("Lecture et écriture")


class ApiToken(models.Model):
    """Personal API token. Only a SHA-256 of the secret is stored; the secret is shown once."""

    PREFIX = "jln_"
    DEFAULT_LIFETIME = timedelta(days=90)
    MAX_LIFETIME = timedelta(days=365)

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nom"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    scope = models.CharField(_("droits"), max_length=20, choices=TokenScope.choices, default=TokenScope.READ)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    @property
    def can_write(self) -> bool:
        return "write" in self.scope.split()

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @classmethod
    def issue(
        cls,
        *,
        user: User,
        name: str,
        scope: str = TokenScope.READ_WRITE,
        lifetime: timedelta = DEFAULT_LIFETIME,
    ) -> tuple["ApiToken", str]:
        if not timedelta(0) < lifetime <= cls.MAX_LIFETIME:
            raise ValueError("Un jeton dure au plus un an.")
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        now = timezone.now()
        token = cls.objects.create(
            user=user,
            name=name,
            key_hash=hash_token(raw),
            hint=raw[:8],
            scope=TokenScope(scope),
            created_at=now,
            expires_at=now + lifetime,
        )
        return token, raw

    @classmethod
    def find(cls, raw: str) -> "ApiToken | None":
        """The active, unexpired token of an active account with this secret; its use is noted."""
        token = cls.objects.active().select_related("user").filter(key_hash=hash_token(raw)).first()
        if token is None or not token.user.is_active:
            return None
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token

    @classmethod
    def authenticate(cls, raw: str) -> User | None:
        token = cls.find(raw)
        return token.user if token else None

    @classmethod
    def revoke_all(cls, *, user: User) -> int:
        """Every live token of this account, e.g. when its password is reset."""
        return cls.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
