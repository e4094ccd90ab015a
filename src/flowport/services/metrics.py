"""Process-wide counters and latency histograms rendered as Prometheus text (exposition format 0.0.4)."""

from __future__ import annotations

import threading
from collections import defaultdict

_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """Thread-safe counters, gauges and histograms; one instance per app."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counters: dict[tuple[str, tuple[tuple[str, str], ...]], float] = defaultdict(float)
        self._gauges: dict[str, float] = {}
        self._hist: dict[tuple[str, tuple[tuple[str, str], ...]], list[float]] = {}
        self._help: dict[str, tuple[str, str]] = {}

    def inc(self, name: str, amount: float = 1.0, help_text: str = "", **labels: str) -> None:
        key = (name, tuple(sorted(labels.items())))
        with self._lock:
            self._help.setdefault(name, ("counter", help_text))
            self._counters[key] += amount

    def set_gauge(self, name: str, value: float, help_text: str = "") -> None:
        with self._lock:
            self._help.setdefault(name, ("gauge", help_text))
            self._gauges[name] = value

    def observe(self, name: str, seconds: float, help_text: str = "", **labels: str) -> None:
        key = (name, tuple(sorted(labels.items())))
        with self._lock:
            self._help.setdefault(name, ("histogram", help_text))
            counts = self._hist.setdefault(key, [0.0] * (len(_BUCKETS) + 2))
            for i, bound in enumerate(_BUCKETS):
                if seconds <= bound:
                    counts[i] += 1
            counts[-2] += 1  # count
            counts[-1] += seconds  # sum

    def counter_value(self, name: str, **labels: str) -> float:
        with self._lock:
            return self._counters.get((name, tuple(sorted(labels.items()))), 0.0)

    def render(self) -> str:
        lines: list[str] = []
        with self._lock:
            for name, (kind, help_text) in sorted(self._help.items()):
                lines.append(f"# HELP {name} {help_text or name}")
                lines.append(f"# TYPE {name} {kind}")
                if kind == "counter":
                    for (n, labels), value in sorted(self._counters.items()):
                        if n == name:
                            lines.append(f"{name}{_labels(labels)} {value:g}")
                elif kind == "gauge":
                    lines.append(f"{name} {self._gauges.get(name, 0):g}")
                else:
                    for (n, labels), counts in sorted(self._hist.items()):
                        if n != name:
                            continue
                        for i, bound in enumerate(_BUCKETS):
                            lines.append(
                                f"{name}_bucket{_labels((*labels, ('le', f'{bound:g}')))} {counts[i]:g}"
                            )
                        lines.append(f"{name}_bucket{_labels((*labels, ('le', '+Inf')))} {counts[-2]:g}")
                        lines.append(f"{name}_count{_labels(labels)} {counts[-2]:g}")
                        lines.append(f"{name}_sum{_labels(labels)} {counts[-1]:.6f}")
        return "\n".join(lines) + "\n"


def _labels(labels: tuple[tuple[str, str], ...]) -> str:
    if not labels:
        return ""
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in labels)
    return "{" + inner + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
