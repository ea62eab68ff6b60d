"""Requests arriving together, answered by one model call.

Each request puts its item on a queue and awaits a future. One task takes the first item, waits
at most `max_wait` for more (and takes at once whatever queued while the model was busy), and
runs the batch in the model's single thread. Under load the batches grow by themselves: while
one batch runs, the next one queues.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass
class _Pending(Generic[T]):
    key: Hashable  # items with different keys never share a call (e.g. restore methods)
    item: T
    future: asyncio.Future


class MicroBatcher(Generic[T]):
    """`run(key, items) -> results` (one per item, in order), called in `executor` on batches
    of at most `max_batch` items of one key."""

    def __init__(
        self, run: Callable[[Hashable, Sequence[T]], Sequence[Any]], executor: Executor, max_batch: int, max_wait_s: float
    ) -> None:
        self.run = run
        self.executor = executor
        self.max_batch = max_batch
        self.max_wait_s = max_wait_s
        self.queue: asyncio.Queue[_Pending[T]] = asyncio.Queue()
        self._task: asyncio.Task | None = None
        self.batches = 0  # calls made, and the items they held: for the logs and the tests
        self.items = 0

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def submit(self, item: T, key: Hashable = None) -> Any:
        future = asyncio.get_running_loop().create_future()
        await self.queue.put(_Pending(key, item, future))
        return await future

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self.queue.get()]
            deadline = loop.time() + self.max_wait_s
            while len(batch) < self.max_batch:
                if not self.queue.empty():
                    batch.append(self.queue.get_nowait())
                    continue
                left = deadline - loop.time()
                if left <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self.queue.get(), left))
                except asyncio.TimeoutError:
                    break
            # A caller that timed out or went away needs no answer.
            batch = [p for p in batch if not p.future.done()]
            for key in dict.fromkeys(p.key for p in batch):
                group = [p for p in batch if p.key == key]
                await self._answer(key, group)

    async def _answer(self, key: Hashable, group: list[_Pending[T]]) -> None:
        loop = asyncio.get_running_loop()
        self.batches += 1
        self.items += len(group)
        try:
            results = await loop.run_in_executor(self.executor, self.run, key, [p.item for p in group])
        except Exception as exc:  # noqa: BLE001 - one bad item must not fail the others
            if len(group) == 1:
                _settle(group[0].future, exc=exc)
                return
            logger.info("a batch of %d failed (%s): answering its items one by one", len(group), type(exc).__name__)
            for p in group:
                if not p.future.done():  # a caller that timed out meanwhile needs no answer
                    await self._answer(key, [p])
            return
        for p, r in zip(group, results):
            _settle(p.future, result=r)


def _settle(future: asyncio.Future, result: Any = None, exc: BaseException | None = None) -> None:
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)
