"""`BeatingWorker`: rq's SimpleWorker with a heartbeat for the job it is running.

SimpleWorker runs a job in its own main thread and sends no heartbeat while the job runs, so rq gives the
job a lease of its whole timeout plus 60 s (6 minutes for an ingest batch): only after that can the
recovery sweep tell that the worker died (`kill -9`, OOM, power loss) and retry the job. Here a small
thread renews the lease every `job_heartbeat_seconds` while the job runs, and the lease is three beats
long: a job of a dead worker is retried about `3 x job_heartbeat_seconds` after its last beat (plus the
recovery sweep's interval), whatever its timeout. A worker that is alive but stuck (a lock wait, a slow
platform) keeps beating and keeps its job; the job's own timeout still applies. A job that ends while
Redis is away does not end the worker (rq would), nor does a worker beat between jobs, a suspension check
or rq's maintenance: the worker waits for Redis and goes on.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import SimpleWorker
from rq.job import Job
from rq.queue import Queue
from rq.registry import StartedJobRegistry

from webcare.services import deadletters

log = logging.getLogger(__name__)
MISSED_BEATS = 3  # a lease lasts this many beats


class BeatingWorker(SimpleWorker):
    beat_seconds: int = 10

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        return self.beat_seconds * MISSED_BEATS

    def clean_registries(self):
        """rq's maintenance retries abandoned jobs too: forget their dead executions first (see
        deadletters.forget_dead_executions), or each retried job fails as it finishes."""
        for queue in self.queues:
            deadletters.forget_dead_executions(StartedJobRegistry(queue.name, connection=self.connection))
        return super().clean_registries()

    def unsubscribe(self):
        """Stop the pub/sub thread (rq's commands to this worker) without a minute's stall at shutdown.

        rq sends UNSUBSCRIBE and then stops the thread, which redis-py joins without a timeout. When the
        thread has already read the UNSUBSCRIBE reply and waits for the next message (60 s, rq's setting)
        before it sees the stop, the worker hangs that long as it ends (about one shutdown in seven in the
        test suite). Clearing the thread's running flag first makes the reply the thread's last message."""
        thread = getattr(self, "pubsub_thread", None)
        if thread is not None:
            thread.stop(timeout=0)  # only clears the running flag; the reply below wakes the thread
        return super().unsubscribe()

    def heartbeat(self, timeout: int | None = None, pipeline=None):
        """rq beats for the worker itself between jobs, also right after a dequeue, outside its own handling
        of a lost connection: Redis going away at that moment ended the worker. A beat that cannot reach
        Redis is skipped; the next Redis call of the loop waits for it (a job just dequeued is retried as
        abandoned when it cannot be started)."""
        if pipeline is not None:
            return super().heartbeat(timeout, pipeline)
        try:
            return super().heartbeat(timeout)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            log.warning("worker heartbeat skipped: Redis is away (%s)", exc)
            return None

    def check_for_suspension(self, burst: bool) -> None:
        """rq asks Redis whether workers are suspended at the top of every loop, outside its own handling of
        a lost connection: Redis going away right then ended the worker (seen in the Redis-restart fault
        test). Redis away: not suspended as far as we know; wait for it, then the loop goes on."""
        try:
            super().check_for_suspension(burst)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            self._redis_away("suspension check", exc)

    def run_maintenance_tasks(self):
        """rq's periodic maintenance (registries, its scheduler), likewise outside rq's handling of a lost
        connection; it runs again at its next turn."""
        try:
            return super().run_maintenance_tasks()
        except (RedisConnectionError, RedisTimeoutError) as exc:
            self._redis_away("maintenance", exc)
            return None

    def _redis_away(self, what: str, exc: Exception) -> None:
        log.warning("worker %s skipped: Redis is away (%s); waiting for it", what, exc)
        self._wait_for_redis()

    def _stop_beating(self) -> None:
        """No beat after this: one in flight finishes first. Called as the job ends, before rq records
        the end (a late beat would put the finished job back in the StartedJobRegistry, where the
        recovery sweep would find it abandoned and schedule it again)."""
        stop, lock = getattr(self, "_beat_stop", None), getattr(self, "_beat_lock", None)
        if stop is not None and lock is not None:
            with lock:
                stop.set()

    def handle_job_success(self, job: Job, *args, **kwargs):
        self._stop_beating()
        # the job may have run before on a worker that died; rq fails the job as it ends if that dead
        # execution is still listed (anything that reads rq's StartedJobRegistry retries abandoned jobs)
        deadletters.forget_gone_executions(self.connection, job.id)
        return super().handle_job_success(job, *args, **kwargs)

    def handle_job_failure(self, job: Job, *args, **kwargs):
        self._stop_beating()
        deadletters.forget_gone_executions(self.connection, job.id)
        return super().handle_job_failure(job, *args, **kwargs)

    def execute_job(self, job: Job, queue: Queue):
        stop = self._beat_stop = threading.Event()
        self._beat_lock = threading.Lock()
        beater = threading.Thread(target=self._beat, args=(job, stop), name=f"heartbeat-{job.id}", daemon=True)
        beater.start()
        try:
            return super().execute_job(job, queue)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            # rq records the end of a job in Redis; if Redis is away right then, the error would end the
            # worker. The job stays "started" without heartbeats and is retried as abandoned.
            log.warning("job %s: Redis went away as the job ended (%s); waiting for it", job.id, exc)
            self._wait_for_redis()
        finally:
            stop.set()
            beater.join(timeout=5)

    def _wait_for_redis(self) -> None:
        """Until Redis answers again, or the worker is asked to stop (it must not outlive a shutdown)."""
        for wait in itertools.chain((0.5, 1, 2, 5), itertools.repeat(10)):
            if self._stop_requested:
                return
            time.sleep(wait)
            try:
                self.connection.ping()
                return
            except RedisError:
                continue

    def _beat(self, job: Job, stop: threading.Event) -> None:
        lock = self._beat_lock
        while not stop.wait(self.beat_seconds):
            with lock:
                if stop.is_set():  # the job ended while this beat waited
                    return
                execution = next((e for e in list(self.executions.values()) if e.job_id == job.id), None)
                if execution is None:
                    continue
                try:
                    self.maintain_heartbeats(job, execution)
                except RedisError as exc:  # Redis restarting: the next beat tries again
                    log.warning("job %s: heartbeat failed: %s", job.id, exc)
