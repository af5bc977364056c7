"""Peak memory of the engine's processes, by polling /proc (Linux; no psutil needed).

Every ``interval`` seconds the poller lists this process's descendants and reads ``VmHWM``
(the kernel's own high-water mark of resident memory) of the dynamic provider process
(``python -m pulumi.dynamic``) and of the ``pulumi`` CLI. VmHWM never decreases, so the last
reading before a process exits is its peak to within one interval of growth.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        stat = _read(entry / "stat")
        if not stat:
            continue
        # pid (comm) state ppid ... ; comm may contain spaces or parentheses
        ppid = int(stat[stat.rfind(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def _descendants(root: int) -> list[int]:
    children = _children_map()
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _hwm_kib(pid: int) -> int | None:
    status = _read(PROC / str(pid) / "status")
    if not status:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def _kind(pid: int) -> str | None:
    raw = _read(PROC / str(pid) / "cmdline")
    if not raw:
        return None
    argv = raw.split("\0")
    if "pulumi.dynamic" in argv:
        return "provider"
    if argv and os.path.basename(argv[0]) == "pulumi":
        return "engine"
    return None


@dataclass
class PeakMemory:
    """Use as a context manager around one engine command."""

    interval: float = 0.2
    root: int = field(default_factory=os.getpid)
    peaks: dict[int, tuple[str, int]] = field(default_factory=dict)  # pid -> (kind, KiB)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="peak-memory", daemon=True)

    def _poll(self) -> None:
        for pid in _descendants(self.root):
            kind = self.peaks[pid][0] if pid in self.peaks else _kind(pid)
            if kind is None:
                continue
            hwm = _hwm_kib(pid)
            if hwm is not None:
                self.peaks[pid] = (kind, max(hwm, self.peaks.get(pid, (kind, 0))[1]))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._poll()

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def peak_mib(self, kind: str) -> float | None:
        """The largest peak of any process of ``kind`` ("provider" or "engine"), in MiB."""
        values = [kib for k, kib in self.peaks.values() if k == kind]
        return round(max(values) / 1024, 1) if values else None
