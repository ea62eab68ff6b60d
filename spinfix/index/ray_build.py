"""Building an index on a Ray cluster: the shards' features (the costly part: the sentence
encoder, then the hashing) are computed by a pool of Ray actors, each loading the encoder once;
the driver writes the segments, in input order, as the local build does.

    spinfix index build CORPUS --index DIR --engine ray [--ray-address HOST:6379] [--actors N]

The workers read the corpus themselves (a shard task is plain data: spinfix.batch.plan), so the
corpus must be at the same path on every node, as for `spinfix batch --engine ray`. Only the
features come back, with the documents' ids and texts. Ray is optional (pip install
'spinfix[ray]').
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import numpy as np

from spinfix.batch.docs import Doc
from spinfix.batch.plan import Plan, ShardTask, read_shard
from spinfix.batch.ray_engine import RaySettings, connect_ray, require_ray
from spinfix.index.features import Features, Featurizer
from spinfix.index.settings import IndexSettings

logger = logging.getLogger(__name__)


class FeatureWorker:
    """A Ray actor: the encoder loaded once, one shard's features per call."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.featurizer = Featurizer(IndexSettings.from_dict(settings))

    def run(self, task: dict[str, Any]) -> tuple[list[Doc], dict[str, np.ndarray], np.ndarray | None]:
        docs = read_shard(ShardTask.from_dict(task))
        feats = self.featurizer.features([d.text for d in docs if d.ok and d.text is not None])
        return docs, feats.signatures, feats.vectors


def ray_features(ray_settings: RaySettings | None = None):  # noqa: ANN201  (a build engine)
    """A build engine (spinfix.index.builder.build's `engine`) that computes on Ray."""
    ray_settings = ray_settings or RaySettings()

    def engine(plan: Plan, settings: IndexSettings) -> Iterator[tuple[list[Doc], Features]]:
        ray = require_ray()
        from ray.util import ActorPool

        started = not ray.is_initialized()
        if started:
            connect_ray(ray, ray_settings.address)
        cpus = int(ray.cluster_resources().get("CPU", 1))
        actors = ray_settings.actors or max(1, cpus // 2)
        worker = ray.remote(num_cpus=max(1, cpus // actors))(FeatureWorker)
        pool = ActorPool([worker.remote(settings.to_dict()) for _ in range(actors)])
        logger.info("featurising %d shard(s) on %d Ray actor(s)", len(plan.tasks), actors)
        # ActorPool.map hands the results back in the tasks' order: the segments are the same
        # as a local build's.
        try:
            for docs, sigs, vecs in pool.map(lambda a, t: a.run.remote(t), [t.to_dict() for t in plan.tasks]):
                yield docs, Features(sigs, vecs)
        finally:
            if started:  # a Ray started for this build alone goes with it
                ray.shutdown()

    return engine
