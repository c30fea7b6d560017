"""Password hashing: Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).

PBKDF2 at Django 5.2's 1,000,000 rounds cost 0.4-0.75 s of CPU per login here, so a morning rush
of logins saturated a 2-core server. Argon2id with these settings costs about 35 ms of CPU and is
memory-hard (each guess needs 19 MiB), which slows GPU attacks more than PBKDF2's rounds did.
Existing PBKDF2 hashes still verify and are rehashed to Argon2id at the next successful login.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    # Same algorithm name as Django's: hashes made with other Argon2 settings verify, then are
    # updated to these (must_update compares the parameters stored in the hash).
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1


PASSWORD_HASHERS = [
    "jalon.users.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
