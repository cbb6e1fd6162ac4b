"""Where a snapshot store lives: a local folder (a Path) or a prefix in an S3-compatible bucket (a Bucket).

`SOCIALWORK_DATA=s3://bucket/prefix` names a bucket; the endpoint and credentials come from the usual
environment variables (ENDPOINT_ENV, KEY_ENV, SECRET_ENV, REGION_ENV), never from the URL.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SCHEME = "s3://"
ENDPOINT_ENV = "AWS_ENDPOINT_URL"  # e.g. http://127.0.0.1:8333 for SeaweedFS; unset for Amazon S3 itself
KEY_ENV = "AWS_ACCESS_KEY_ID"
SECRET_ENV = "AWS_SECRET_ACCESS_KEY"
REGION_ENV = "AWS_REGION"
DEFAULT_REGION = "us-east-1"  # what S3-compatible servers that ignore regions expect in the signature


@dataclass(frozen=True)
class Bucket:
    """A store under s3://bucket/prefix: hashable, so it keys caches as a Path does."""

    bucket: str
    prefix: str = ""  # without leading or trailing "/"

    def key(self, relative: str) -> str:
        """The object key of a path relative to the store's root."""
        return f"{self.prefix}/{relative}" if self.prefix else relative

    def __str__(self) -> str:
        return f"{SCHEME}{self.bucket}/{self.prefix}" if self.prefix else f"{SCHEME}{self.bucket}"


Location = Path | Bucket


def is_bucket_url(text: str) -> bool:
    return text.startswith(SCHEME)


def parse_bucket(text: str) -> Bucket:
    """s3://bucket/some/prefix as a Bucket; ValueError (in Chinese) when no bucket is named."""
    bucket, _, prefix = text.removeprefix(SCHEME).partition("/")
    if not bucket:
        raise ValueError(f"对象存储地址缺少存储桶名称：{text}（应为 s3://存储桶/前缀）")
    return Bucket(bucket, prefix.strip("/"))


def parse(text: str | Path) -> Location:
    """A setting or a --data argument as a location: s3://… a Bucket, anything else a resolved folder."""
    if isinstance(text, str) and is_bucket_url(text):
        return parse_bucket(text)
    return Path(text).expanduser().resolve()


def client() -> Any:
    """A boto3 S3 client for the environment's endpoint and credentials (one per process and settings; boto3
    clients are thread-safe)."""
    return _client(
        os.environ.get(ENDPOINT_ENV) or None,
        os.environ.get(KEY_ENV) or None,
        os.environ.get(SECRET_ENV) or None,
        os.environ.get(REGION_ENV) or DEFAULT_REGION,
    )


@cache
def _client(endpoint: str | None, key: str | None, secret: str | None, region: str) -> Any:
    import boto3
    from botocore.config import Config

    # Path-style addressing: S3-compatible servers (SeaweedFS, MinIO) rarely have a DNS name per bucket.
    # A bucket that does not answer is given up on in seconds: a replica then serves its local copy (objectstore.py).
    # A store of many counties lists and copies its counties side by side, each county 8 files at a time.
    config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3, "mode": "standard"},
                    connect_timeout=3, read_timeout=30, max_pool_connections=64)  # fmt: skip
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        region_name=region,
        config=config,
    )
