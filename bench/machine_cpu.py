"""Where the machine's CPU went during a `make load` run, read from Linux's /proc.

`bench/load.py` takes a `Snapshot` before the load client starts and another once it has
finished, and reports the difference per request of the mix: the app servers (each gunicorn
master, its live workers, and the workers it has already reaped), PostgreSQL (every `postgres`
process, the postmaster counting the backends it has reaped), the load client (which reports its
own CPU time, since it is gone by the second snapshot) and the rest of the machine (the
emulator, the two syncs, the kernel and anything else running). The machine's total is the
busy time of /proc/stat, so the parts always add up to what the machine did.

This is what the ceiling share is bounded by: the app can only have what PostgreSQL, the client
and the rest leave of the machine's CPUs (`budget`).

Linux only (/proc); elsewhere `Snapshot.take` returns None and the report says so.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (which may hold spaces)."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:  # gone between listing and reading
        return None
    return text[text.rindex(")") + 2 :].split()


def _cpu_ticks(fields: list[str], *, children: bool) -> int:
    # After the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
    own = int(fields[11]) + int(fields[12])
    return own + (int(fields[13]) + int(fields[14]) if children else 0)


def _processes() -> dict[int, tuple[str, int, list[str]]]:
    """Every process: pid -> (command name, parent pid, stat fields)."""
    found = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        try:
            name = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if fields is not None:
            found[int(entry.name)] = (name, int(fields[1]), fields)
    return found


def _tree_ticks(root: int, table: dict[int, tuple[str, int, list[str]]]) -> int:
    """CPU of `root` with its reaped children, plus every live descendant's own."""
    if root not in table:
        return 0
    total = _cpu_ticks(table[root][2], children=True)
    stack = [root]
    while stack:
        parent = stack.pop()
        for pid, (_, ppid, fields) in table.items():
            if ppid == parent:
                total += _cpu_ticks(fields, children=False)
                stack.append(pid)
    return total


def _machine_ticks() -> tuple[int, int]:
    """(busy, stolen): /proc/stat's "cpu user nice system idle iowait irq softirq steal ...".

    Busy is user, nice, system, irq and softirq (guest time is already inside user). Steal is
    time the hypervisor gave this machine's CPUs to someone else: not ours, but it shrinks
    what the machine can serve, so it is reported beside.
    """
    values = [int(v) for v in (PROC / "stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values[:8]
    return user + nice + system + irq + softirq, steal


@dataclass(frozen=True)
class Snapshot:
    """CPU seconds so far: the machine's busy time, the app servers' and PostgreSQL's."""

    machine: float
    servers: float
    postgres: float
    stolen: float = 0.0
    wall: float = 0.0  # time.monotonic() when taken

    @classmethod
    def take(cls, server_pids: list[int]) -> Snapshot | None:
        if not (PROC / "stat").exists():
            return None
        table = _processes()
        postgres = sum(
            # The postmaster (its parent is not a postgres) with the backends it has reaped;
            # every other postgres process by itself.
            _cpu_ticks(fields, children=table.get(ppid, ("",))[0] != "postgres")
            for name, ppid, fields in table.values()
            if name == "postgres" or name.startswith("postgres:")
        )
        servers = sum(_tree_ticks(pid, table) for pid in server_pids)
        busy, stolen = _machine_ticks()
        return cls(
            busy / TICKS, servers / TICKS, postgres / TICKS, stolen / TICKS, time.monotonic()
        )


def account(
    before: Snapshot | None,
    after: Snapshot | None,
    *,
    client_cpu_s: float | None,
    requests: int,
    cpus: int,
) -> dict[str, float] | None:
    """Milliseconds of CPU per request of the mix, by part, and how busy the machine was
    between the two snapshots (the share of its CPUs busy, and the share stolen)."""
    if before is None or after is None or not requests:
        return None
    machine = after.machine - before.machine
    servers = after.servers - before.servers
    postgres = after.postgres - before.postgres
    client = client_cpu_s or 0.0
    wall = after.wall - before.wall
    per = 1000 / requests
    return {
        "machine_ms": round(machine * per, 2),
        "servers_ms": round(servers * per, 2),
        "postgres_ms": round(postgres * per, 2),
        "client_ms": round(client * per, 2),
        "rest_ms": round(max(0.0, machine - servers - postgres - client) * per, 2),
        "busy": round(machine / (cpus * wall), 3) if wall > 0 else 0.0,
        "stolen": round((after.stolen - before.stolen) / (cpus * wall), 3) if wall > 0 else 0.0,
    }


def budget(account: dict[str, float], *, ceiling_rps: float, share: float, cpus: int) -> dict:
    """What the app servers could spend per request if the mix ran at `share` of the ceiling
    on a fully busy machine, with PostgreSQL, the client and the rest costing what they did."""
    machine_ms = cpus * 1000 / (share * ceiling_rps)
    others = account["postgres_ms"] + account["client_ms"] + account["rest_ms"]
    return {"machine_ms": round(machine_ms, 2), "servers_ms": round(machine_ms - others, 2)}
