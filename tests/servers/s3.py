"""A real S3 endpoint for the tests: `moto_server` in a subprocess, on a free port.

The service reaches it exactly as it would reach AWS or MinIO: through AWS_ENDPOINT_URL and the
standard credential variables, with boto3. `stop` and `start` make it refuse writes for a while.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from tests.servers.ports import free_port, wait_for_port

REGION = "us-east-1"


def find_moto_server() -> str | None:
    beside = Path(sys.executable).parent / "moto_server"
    return str(beside) if beside.is_file() else shutil.which("moto_server")


@dataclass
class S3Server:
    program: str
    port: int = field(default_factory=free_port)
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="smarter-s3-")))
    process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        """The variables a process needs to use this endpoint, as it would use AWS."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
        }

    def start(self) -> None:
        log = (self.root / "moto.log").open("ab")
        env = {**os.environ, **self.env}
        self.process = subprocess.Popen(
            [self.program, "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        if not wait_for_port(self.port, timeout=30):
            raise RuntimeError(f"moto_server did not start: {self.root / 'moto.log'}")

    def stop(self) -> None:
        """Everything stored is lost with the process: only stop it when that is intended."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def create_bucket(self, name: str) -> None:
        self.client().create_bucket(Bucket=name)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
