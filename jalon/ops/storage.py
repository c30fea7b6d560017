"""Where uploaded and generated files live: this machine's disk, or S3-compatible object storage.

One web node and its job consumer can share a folder; several nodes cannot (an import uploaded
through node A must be read by a consumer on node B). With `JALON_S3_BUCKET` set, Django's
default storage is django-storages' S3 backend: any S3-compatible service (Scaleway, OVH,
Outscale, MinIO, Garage…). Files stay private: no public ACL, and a URL handed out is signed and
short-lived, so a file is only reached through a view that checked the permission first.
"""

from collections.abc import Mapping

# A signed URL outlives the click that asked for it, not more.
SIGNED_URL_SECONDS = 300


def default_storage_from_env(env: Mapping[str, str], *, media_root) -> dict:
    """The STORAGES["default"] entry that the environment asks for."""
    bucket = env.get("JALON_S3_BUCKET", "").strip()
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": media_root}}
    options = {
        "bucket_name": bucket,
        "endpoint_url": env.get("JALON_S3_ENDPOINT_URL") or None,
        "region_name": env.get("JALON_S3_REGION") or None,
        "access_key": env.get("JALON_S3_ACCESS_KEY_ID") or None,
        "secret_key": env.get("JALON_S3_SECRET_ACCESS_KEY") or None,
        "location": env.get("JALON_S3_PREFIX", "").strip("/"),
        "default_acl": None,  # the bucket's own (private) policy, never "public-read"
        "signature_version": "s3v4",  # what every S3-compatible service accepts today
        "querystring_auth": True,  # signed URLs…
        "querystring_expire": SIGNED_URL_SECONDS,  # …that expire
        "file_overwrite": False,  # two uploads with one name never replace each other
        "object_parameters": {"CacheControl": "private, no-store"},
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
