"""A dashboard server's processes as Linux shows them (/proc): its descendants, which of them train (the
children of multiprocessing's fork server, or spawned ones), their memory as proportional set size (PSS:
each page shared by n processes counted 1/n in each, so the sum over processes is the memory they take
together, unlike resident sizes, which count torch's shared pages once per process) and their CPU time.
Used by the load tests and tools/classroom_load.py."""
from __future__ import annotations

import os


def children(pid: int) -> list[tuple[int, bytes]]:
    """(pid, command line) of the processes whose parent is `pid`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == pid:
            found.append((int(entry), cmd))
    return found


def tree(pid: int) -> list[int]:
    """`pid` and all its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += [c for c, _ in children(p)]
    return out


def workers_of(pid: int) -> list[int]:
    """Training processes of the server process `pid`: the children of its multiprocessing fork server
    (repcore.workers), or its own spawned children where there is none."""
    found = []
    for child, cmd in children(pid):
        if b"multiprocessing.forkserver" in cmd:
            found += [grandchild for grandchild, _ in children(child)]
        elif b"spawn_main" in cmd:
            found.append(child)
    return found


def pss_kb(pid: int) -> int:
    """The process's proportional set size in KiB (0 if it is gone), from /proc/PID/smaps_rollup."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_s(pid: int) -> float:
    """User + system CPU seconds the process has used (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0
