"""The service's settings: one dataclass, passed to worker processes as JSON."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields

ENV = "SPINFIX_SERVE_SETTINGS"  # how `spinfix serve --workers N` hands them to each worker


@dataclass(frozen=True)
class ServeSettings:
    models: str | None = None  # the models folder (None: $SPINFIX_MODELS, else models/)
    threshold: float | None = None  # the detector's own unless set
    context: bool = True
    lm_reading: bool = True
    max_bytes: int = 1024 * 1024  # a request body larger than this is refused (413)
    timeout_s: float = 30.0  # a request not answered by then gets 504
    max_batch: int = 64  # texts per model call
    max_wait_ms: float = 5.0  # how long the first request of a batch waits for others
    # Load the restorer and the reference check at start (else on the first restore/compare,
    # which then takes as long as the load): /readyz waits for them.
    preload: bool = True
    # torch's threads per process (None: torch's default, one per core). With --workers N on a
    # machine of C cores, C / N each keeps the workers from competing for the cores.
    threads: int | None = None

    def __post_init__(self) -> None:
        if self.max_bytes < 1 or self.max_batch < 1 or self.timeout_s <= 0 or self.max_wait_ms < 0 or (self.threads or 1) < 1:
            raise ValueError(f"invalid service settings: {self}")

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ServeSettings:
        data = json.loads(text)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})
