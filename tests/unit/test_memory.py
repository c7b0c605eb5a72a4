"""Start-up objects leave the garbage collector's way in the web and worker processes (webcare.memory)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests

from tests.unit.gunicorn_server import gunicorn_with_our_config

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
