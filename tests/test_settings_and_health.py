import os
import subprocess
import sys


def settings_import(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "JALON_ENCRYPTION_KEYS"}}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='jalon.settings'; django.setup()",
        ],
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def test_secret_key_is_required_without_debug(tmp_path):
    result = settings_import({"DEBUG": "0", "JALON_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY doit être défini" in result.stderr


def test_debug_profile_starts_with_defaults(tmp_path):
    assert settings_import({"DEBUG": "1", "JALON_VAR_DIR": str(tmp_path)}).returncode == 0
