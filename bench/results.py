"""What a benchmark reports: one row per figure, with its target, verdict and detail lines."""

from __future__ import annotations

import math
import os
import platform
import sys
from dataclasses import dataclass, field
from statistics import median

from rich.console import Console
from rich.table import Table


@dataclass
class Figure:
    """One measured figure and how it compares with its target."""

    benchmark: str
    figure: str
    target: str = ""
    status: str = ""  # "ok", "MISS", "info", "skipped", "error"
    verdict: str = ""  # the ratio or a short word shown beside the status
    details: list[str] = field(default_factory=list)


def ratio_figure(
    benchmark: str,
    figure: str,
    ratio: float,
    target: float,
    *,
    higher_is_better: bool,
    details: list[str] | None = None,
) -> Figure:
    """A figure judged by a ratio against a target bound (≥ target or ≤ target)."""
    ok = ratio >= target if higher_is_better else ratio <= target
    sign = "≥" if higher_is_better else "≤"
    return Figure(
        benchmark,
        figure,
        target=f"ratio {sign} {target:g}",
        status="ok" if ok else "MISS",
        verdict=f"{ratio:.2f}",
        details=details or [],
    )


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of ``values``; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = min(len(ordered), max(1, math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def med(values: list[float]) -> float:
    return median(values) if values else float("nan")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


_STYLE = {"ok": "green", "MISS": "bold red", "error": "bold red", "skipped": "yellow", "info": "cyan"}


def console() -> Console:
    # Piped output (make bench | tee) would default to 80 columns and wrap the table.
    return Console(width=None if sys.stdout.isatty() else 150, highlight=False)


def machine_facts() -> list[str]:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            total_kb = int(f.readline().split()[1])
        mem = f", {total_kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return [
        f"cores: {os.cpu_count()} ({len(os.sched_getaffinity(0))} usable), {cpu}{mem}",
        f"Python {platform.python_version()} ({platform.python_implementation()}), {platform.platform()}",
        load_average(),
    ]


def load_average() -> str:
    """Other work on the machine skews every figure: show how busy it was."""
    try:
        with open("/proc/loadavg") as f:
            one, five, fifteen = f.read().split()[:3]
    except (OSError, ValueError):
        return "load average: unknown"
    return f"load average (1/5/15 min): {one} {five} {fifteen}"


def render(out: Console, figures: list[Figure]) -> None:
    """The summary table, then each figure's detail lines."""
    table = Table(title="Flowport benchmarks", show_lines=False)
    table.add_column("benchmark", no_wrap=True)
    table.add_column("figure")
    table.add_column("target", no_wrap=True)
    table.add_column("ratio/status", no_wrap=True)
    for fig in figures:
        style = _STYLE.get(fig.status, "")
        verdict = f"{fig.verdict} {fig.status}".strip()
        table.add_row(fig.benchmark, fig.figure, fig.target, f"[{style}]{verdict}[/]" if style else verdict)
    out.print(table)
    out.print()
    for fig in figures:
        if not fig.details:
            continue
        out.print(f"[bold]{fig.benchmark}[/]: {fig.figure}")
        for line in fig.details:
            out.print(f"    {line}", soft_wrap=True)
