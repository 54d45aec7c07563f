"""The parts of a firm that outgrew one machine, for live services: PostgreSQL, Redis and S3.

Each service made through `ScaledStack.env` gets its own PostgreSQL database (a copy of a demo
template), its own redis-server (so that one test can restart it without touching another) and
its own bucket on the shared moto_server.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from tests.servers.postgres import PostgresServer
from tests.servers.redis import RedisServer
from tests.servers.s3 import S3Server


@dataclass
class ScaledParts:
    """What one live service runs on, with handles for injecting faults."""

    database: str
    redis: RedisServer
    bucket: str
    env: dict[str, str]


@dataclass
class ScaledStack:
    postgres: PostgresServer
    template: str
    redis_program: str
    s3: S3Server
    made: list[ScaledParts] = field(default_factory=list)

    def parts(self, *, s3_endpoint: str | None = None) -> ScaledParts:
        database = self.postgres.create_database(template=self.template)
        redis = RedisServer(self.redis_program)
        redis.start()
        bucket = f"exports-{uuid.uuid4().hex[:12]}"
        self.s3.create_bucket(bucket)
        env = {
            **self.s3.env,
            "SMARTER_EXPORT_DATABASE_URL": self.postgres.url(database),
            "SMARTER_EXPORT_QUEUE_URL": redis.url,
            "SMARTER_EXPORT_STORAGE_URL": f"s3://{bucket}/exports",
        }
        if s3_endpoint is not None:
            env["AWS_ENDPOINT_URL"] = s3_endpoint
        made = ScaledParts(database, redis, bucket, env)
        self.made.append(made)
        return made

    def close(self) -> None:
        for made in self.made:
            made.redis.close()
            self.postgres.drop_database(made.database)
