"""`spinfix batch`: check a large input (a folder of text files, JSONL, Parquet) in shards, each
shard's records written exactly once, so a job killed at any moment resumes where it stopped.

    plan.py       the input cut into shard tasks; read_shard() reads one back
    shards.py     a shard's records written atomically, the ledger of committed shards
    manifest.py   what the job is (manifest.json), what it did (summary.json), resume checks
    job.py        the local engine: run_job(); what every engine shares (start_run, Run)
    ray_engine.py the Ray engine: run_ray_job(), an actor pool on a Ray cluster (Ray optional)
    settings.py   BatchSettings

Nothing here imports torch at import (the local engine gets the models as a loaded `Spinfix`;
the Ray engine loads them in each actor), nor Ray.
"""
from spinfix.batch.docs import Doc
from spinfix.batch.job import Job, open_job, process_shard, run_job
from spinfix.batch.manifest import ResumeRefused, Summary
from spinfix.batch.plan import Plan, Range, ShardTask, plan_input, read_shard
from spinfix.batch.progress import JobProgress
from spinfix.batch.ray_engine import RaySettings, run_ray_job
from spinfix.batch.settings import BatchSettings
from spinfix.batch.shards import LedgerEntry, Record, ShardStore, read_records

__all__ = [
    "BatchSettings", "Doc", "Job", "JobProgress", "LedgerEntry", "Plan", "Range", "RaySettings", "Record", "ResumeRefused",
    "ShardStore", "ShardTask", "Summary", "open_job", "plan_input", "process_shard", "read_records", "read_shard", "run_job",
    "run_ray_job",
]
