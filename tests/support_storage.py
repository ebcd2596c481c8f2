"""Storage backends for the tests: an S3 emulator on loopback, switching the app's backend for
one test, and the settings a separate process (a worker, a server) needs to share them."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

#: Storage settings a process started by a test is given (as OEP_* variables) to see the same files.
STORAGE_SETTINGS = (
    "STORAGE_BACKEND",
    "STORAGE_DIR",
    "UPLOAD_DIR",
    "CERTIFICATE_DIR",
    "REPORT_DIR",
    "S3_BUCKET",
    "S3_PREFIX",
    "S3_ENDPOINT_URL",
    "S3_REGION",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_ADDRESSING_STYLE",
)


def storage_environment(config) -> dict[str, str]:
    """The OEP_* variables that give another process the storage of an app with ``config``."""
    return {f"OEP_{name}": str(config[name]) for name in STORAGE_SETTINGS if config.get(name)}


class S3Emulator:
    """moto's S3 server, started in this process on a free loopback port."""

    def __init__(self):
        from moto.server import ThreadedMotoServer  # lazy: only the tests of the S3 backend need it

        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()
        host, port = self.server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"

    def settings(self, bucket: str | None = None) -> dict:
        """App settings for a new, empty bucket of this server."""
        import boto3  # lazy: as above

        bucket = bucket or f"oep-{uuid.uuid4().hex[:12]}"
        settings = {
            "S3_BUCKET": bucket,
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_REGION": "us-east-1",
            "S3_ACCESS_KEY_ID": "test-access-key",
            "S3_SECRET_ACCESS_KEY": "test-secret-key",
            "S3_ADDRESSING_STYLE": "path",
        }
        boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="test-access-key",
            aws_secret_access_key="test-secret-key",
        ).create_bucket(Bucket=bucket)
        return settings

    def stop(self) -> None:
        self.server.stop()


@contextmanager
def using_storage(app, backend: str, **settings):
    """Run with ``app`` keeping its files on ``backend`` (with these extra settings)."""
    saved = {name: app.config.get(name) for name in ("STORAGE_BACKEND", *settings)}
    app.config.update(STORAGE_BACKEND=backend, **settings)
    app.extensions.pop("oep.storage", None)
    try:
        yield
    finally:
        app.config.update(saved)
        app.extensions.pop("oep.storage", None)
