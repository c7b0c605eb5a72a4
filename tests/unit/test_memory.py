"""Start-up objects leave the garbage collector's way in the web and worker processes (webcare.memory)."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from contextlib import nullcontext
from dataclasses import asdict
from pathlib import Path

import requests

from tests.unit.gunicorn_server import gunicorn_with_our_config
from webcare.memory import collections_paused
from webcare.services import ingest
from workers import ingest as ingest_job

ROOT = Path(__file__).resolve().parents[2]

FREEZE_THEN_COLLECT_A_CYCLE = """
import gc
import weakref
from webcare.memory import freeze_startup_objects
import webcare.models
before = gc.get_freeze_count()
freeze_startup_objects()
frozen = gc.get_freeze_count()

class Node:
    pass

node = Node()
node.me = node
alive = weakref.ref(node)
del node
gc.collect()
print(before, frozen, int(alive() is None))
"""


def test_freeze_moves_the_start_up_objects_out_and_later_garbage_is_still_collected():
    out = subprocess.run([sys.executable, "-c", FREEZE_THEN_COLLECT_A_CYCLE], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.split()
    before, frozen, cycle_collected = map(int, out)
    assert before == 0
    assert frozen > 50_000  # the modules, the mappers and their tables
    assert cycle_collected  # a cycle made after the freeze is still collected


def test_gunicorn_workers_with_our_config_freeze_before_they_serve():
    with gunicorn_with_our_config("tests.unit.gc_probe_app:app") as url:
        answer = requests.get(url, timeout=5).text
    assert int(answer) > 1_000


def test_every_way_we_start_the_web_process_loads_the_config(settings):
    from webcare.devrun import child_commands

    procfile_web = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    run_web = next(child for child in child_commands(settings, with_demo_feed=False) if child.name == "web")
    assert "--config python:webcare.gunicorn_conf" in procfile_web
    assert run_web.args[run_web.args.index("--config") + 1] == "python:webcare.gunicorn_conf"


def test_collections_wait_for_the_end_of_a_batch_and_its_cycles_are_collected_after():
    class Node:
        pass

    assert gc.isenabled()
    with collections_paused():
        assert not gc.isenabled()
        with collections_paused():  # nested: stays off, and the outer block turns it back on
            pass
        assert not gc.isenabled()
        node = Node()
        node.me = node
        alive = weakref.ref(node)
        del node
        kept = [[] for _ in range(20_000)]  # allocations that would start automatic collections
        del kept
        assert alive() is not None
    assert gc.isenabled()
    gc.collect()
    assert alive() is None  # the batch's cycle is collected after it


def test_collections_stay_off_where_they_were_off():
    gc.disable()
    try:
        with collections_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_ingest_batch_runs_with_collections_paused(monkeypatch):
    seen = []

    def records(result):
        return lambda *args, **kwargs: seen.append(gc.isenabled()) or result

    monkeypatch.setattr(ingest, "store_contacts", records({}))
    monkeypatch.setattr(ingest, "ingest_batch", records(ingest.IngestResult()))
    monkeypatch.setattr(ingest_job, "job_context", lambda: nullcontext(None))
    assert ingest_job.ingest_batch(1, []) == asdict(ingest.IngestResult())
    assert seen == [False, False]
    assert gc.isenabled()
