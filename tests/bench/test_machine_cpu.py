"""bench/machine_cpu.py: where a load run's CPU went, per request, and what it leaves the app."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "bench" / "machine_cpu.py"
_SPEC = importlib.util.spec_from_file_location("machine_cpu", _PATH)
machine_cpu = importlib.util.module_from_spec(_SPEC)
sys.modules.setdefault("machine_cpu", machine_cpu)  # a dataclass looks its module up there
_SPEC.loader.exec_module(machine_cpu)
Snapshot = machine_cpu.Snapshot

linux_only = pytest.mark.skipif(not Path("/proc/stat").exists(), reason="reads Linux's /proc")


def test_account_splits_the_machine_per_request_and_the_rest_is_what_no_part_explains():
    before = Snapshot(machine=100.0, servers=10.0, postgres=5.0, stolen=1.0, wall=50.0)
    after = Snapshot(machine=112.0, servers=18.0, postgres=6.0, stolen=2.0, wall=60.0)
    figures = machine_cpu.account(before, after, client_cpu_s=2.0, requests=1000, cpus=2)
    assert figures == {
        "machine_ms": 12.0,
        "servers_ms": 8.0,
        "postgres_ms": 1.0,
        "client_ms": 2.0,
        "rest_ms": 1.0,
        "busy": 0.6,
        "stolen": 0.05,
    }


def test_account_is_none_without_both_snapshots_or_without_requests():
    snap = Snapshot(1.0, 1.0, 1.0)
    assert machine_cpu.account(None, snap, client_cpu_s=0, requests=5, cpus=2) is None
    assert machine_cpu.account(snap, snap, client_cpu_s=0, requests=0, cpus=2) is None


def test_budget_leaves_the_app_what_the_other_parts_do_not_use_at_the_goal_share():
    mix = {"postgres_ms": 2.0, "client_ms": 3.0, "rest_ms": 1.0}
    # 30% of 400 requests/s = 120 requests/s on 2 CPUs: 16.67 ms of machine a request.
    room = machine_cpu.budget(mix, ceiling_rps=400.0, share=0.3, cpus=2)
    assert room == {"machine_ms": 16.67, "servers_ms": 10.67}


@linux_only
def test_snapshot_counts_a_server_tree_with_the_children_it_has_reaped():
    # A "server" whose worker burns CPU and exits: once the parent has reaped it, the parent's
    # share must still hold that CPU (cutime), as a gunicorn master's does for its workers.
    burn = "import time\nt=time.process_time()\nwhile time.process_time()-t<0.3: pass\n"
    parent = subprocess.Popen(
        [sys.executable, "-c", "import subprocess,sys,time\ninput()\n"
         f"subprocess.run([sys.executable,'-c',{burn!r}])\nprint('reaped', flush=True)\n"
         "time.sleep(30)"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        before = Snapshot.take([parent.pid])
        parent.stdin.write("go\n")
        parent.stdin.flush()
        assert parent.stdout.readline().strip() == "reaped"
        after = Snapshot.take([parent.pid])
        assert after.servers - before.servers >= 0.25
        assert after.machine - before.machine >= 0.25
    finally:
        parent.kill()
        parent.wait()


@linux_only
def test_snapshot_of_no_servers_counts_only_the_machine_and_postgres():
    snap = Snapshot.take([])
    assert snap.servers == 0
    assert snap.machine > 0
    assert os.cpu_count()
