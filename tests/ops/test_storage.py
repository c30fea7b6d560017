"""Shared file storage: the local folder by default, S3-compatible object storage when configured.

The S3 tests talk to moto's S3 stand-in started on loopback: a file saved by one node's storage
is read by another's, and the URLs handed out are signed and expire.
"""

import socket
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.test import override_settings

from jalon.ops.storage import SIGNED_URL_SECONDS, default_storage_from_env


def test_without_a_bucket_files_go_to_the_media_folder(tmp_path):
    entry = default_storage_from_env({}, media_root=tmp_path)
    assert entry == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path},
    }


def test_a_bucket_selects_private_s3_storage_with_short_signed_urls(tmp_path):
    entry = default_storage_from_env(
        {
            "JALON_S3_BUCKET": "jalon-prod",
            "JALON_S3_ENDPOINT_URL": "https://s3.fr-par.scw.cloud",
            "JALON_S3_REGION": "fr-par",
            "JALON_S3_PREFIX": "/media/",
        },
        media_root=tmp_path,
    )
    options = entry["OPTIONS"]
    assert entry["BACKEND"] == "storages.backends.s3.S3Storage"
    assert options["bucket_name"] == "jalon-prod" and options["location"] == "media"
    assert options["default_acl"] is None  # never public-read
    assert options["querystring_auth"] and options["querystring_expire"] == SIGNED_URL_SECONDS <= 600
    assert options["file_overwrite"] is False


def test_settings_default_storage_is_the_media_folder(settings):
    assert isinstance(storages.create_storage(settings.STORAGES["default"]), FileSystemStorage)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def s3(monkeypatch, tmp_path):
    """moto's S3 server on loopback with one empty private bucket; the environment a node reads."""
    boto3 = pytest.importorskip("boto3")
    from moto.server import ThreadedMotoServer

    # Explicit keys: boto3 never looks for credentials elsewhere (no instance metadata lookup).
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = {
        "JALON_S3_BUCKET": "jalon-test",
        "JALON_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "JALON_S3_REGION": "us-east-1",
        "JALON_S3_ACCESS_KEY_ID": "test",
        "JALON_S3_SECRET_ACCESS_KEY": "test",
        "JALON_S3_PREFIX": "media",
    }
    client = boto3.client(
        "s3",
        endpoint_url=env["JALON_S3_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    client.create_bucket(Bucket="jalon-test")
    yield env, client
    server.stop()


def test_a_file_saved_through_one_node_is_read_through_another(s3, tmp_path):
    env, client = s3
    entry = default_storage_from_env(env, media_root=tmp_path)
    node_a, node_b = storages.create_storage(entry), storages.create_storage(entry)
    name = node_a.save("imports/offre.xlsx", ContentFile(b"PK\x03\x04 tableur"))
    with node_b.open(name) as fh:
        assert fh.read() == b"PK\x03\x04 tableur"
    # Stored under the prefix, private, and not cached by a proxy on the way.
    head = client.head_object(Bucket="jalon-test", Key=f"media/{name}")
    assert head["CacheControl"] == "private, no-store"
    acl = client.get_object_acl(Bucket="jalon-test", Key=f"media/{name}")
    assert not [g for g in acl["Grants"] if g["Grantee"].get("URI", "").endswith("AllUsers")]
    # A second upload with the same name never replaces the first.
    other = node_b.save("imports/offre.xlsx", ContentFile(b"autre"))
    assert other != name and node_a.open(name).read() == b"PK\x03\x04 tableur"
    node_a.delete(name)
    assert not node_b.exists(name) and node_b.exists(other)


def test_urls_handed_out_are_signed_and_expire(s3, tmp_path):
    env, _ = s3
    storage = storages.create_storage(default_storage_from_env(env, media_root=tmp_path))
    name = storage.save("exports/rapport.pdf", ContentFile(b"%PDF-1.7"))
    url = storage.url(name)
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == [str(SIGNED_URL_SECONDS)] and "X-Amz-Signature" in query
    with urllib.request.urlopen(url, timeout=10) as response:  # loopback: moto
        assert response.read() == b"%PDF-1.7"


def test_django_default_storage_follows_the_setting(s3, tmp_path):
    env, _ = s3
    from django.core.files.storage import default_storage

    with override_settings(
        STORAGES={
            "default": default_storage_from_env(env, media_root=tmp_path),
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ):
        name = default_storage.save("imports/x.json", ContentFile(b"{}"))
        assert default_storage.__class__.__name__ == "S3Storage" and default_storage.exists(name)
    assert isinstance(storages["default"], FileSystemStorage)
