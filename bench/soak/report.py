"""The soak's figures, its targets, and the table it prints."""

import statistics
from dataclasses import dataclass, field

from bench.soak.checks import Findings
from bench.soak.clients import Timing
from bench.soak.races import RaceResult


@dataclass
class Latency:
    count: int = 0
    p50: float = 0.0
    p95: float = 0.0
    max: float = 0.0

    @classmethod
    def of(cls, seconds: list[float]) -> "Latency":
        if not seconds:
            return cls()
        p95 = (
            statistics.quantiles(seconds, n=20, method="inclusive")[18]
            if len(seconds) > 1
            else seconds[0]
        )
        return cls(len(seconds), statistics.median(seconds), p95, max(seconds))

    def __str__(self) -> str:
        if not self.count:
            return "-"
        return f"{self.p50:.3f} / {self.p95:.3f} / {self.max:.3f}"


@dataclass
class Result:
    """One soak run, measured and checked."""

    database: str
    servers: int
    workers: int
    clients: int
    seconds: float
    timings: list[Timing]
    acknowledged: int
    by_action: dict[str, int]  # acknowledged writes of each action
    refused: int
    unknown: int
    retried: int
    signed_in: int
    locked: int
    findings: Findings
    races: list[RaceResult]
    audit_ok: bool
    ratings_ok: bool
    recompute: tuple[float, float] | None = None  # (start, end), monotonic
    agencies: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def unanswered(self) -> int:
        """Requests that got no answer within the client's timeout (or lost the connection)."""
        return sum(1 for t in self.timings if t.status is None)

    @property
    def server_errors(self) -> int:
        return sum(1 for t in self.timings if t.status is not None and t.status >= 500)

    def latency(self, what: str, during_recompute: bool = False) -> Latency:
        chosen = [t for t in self.timings if t.what == what]
        if during_recompute:
            if self.recompute is None:
                return Latency()
            start, end = self.recompute
            chosen = [t for t in chosen if start <= t.started <= end]
        return Latency.of([t.seconds for t in chosen])

    @property
    def double_decisions(self) -> int:
        """Objects the database shows decided twice (from the soak and the races alike)."""
        return len(self.findings.double_decisions)

    @property
    def double_successes(self) -> int:
        """Races of exclusive decisions in which both sides were told they succeeded."""
        return sum(race.double_successes for race in self.races)

    def targets(self) -> list[tuple[str, str, bool]]:
        """(target, measured, met) for each target of issue 15."""
        found = self.findings
        rows = [
            ("0 lost writes", str(len(found.lost)), not found.lost),
            ("0 phantom writes", str(len(found.phantom)), not found.phantom),
            ("0 duplicates", str(len(found.duplicates)), not found.duplicates),
            ("0 half-saved", str(len(found.half_saved)), not found.half_saved),
            ("0 double decisions", str(self.double_decisions), self.double_decisions == 0),
            ("0 double successes in races", str(self.double_successes), not self.double_successes),
            ("0 5xx", str(self.server_errors), self.server_errors == 0),
            ('0 "database is locked"', str(self.locked), self.locked == 0),
            ("flask audit verify exits 0", "yes" if self.audit_ok else "no", self.audit_ok),
            (
                "flask ratings recompute --check exits 0",
                "yes" if self.ratings_ok else "no",
                self.ratings_ok,
            ),
        ]
        if self.recompute is not None and self.database == "sqlite":
            p95 = self.latency("write", during_recompute=True).p95
            rows.append(("write p95 during a full recompute < 1 s", f"{p95:.3f} s", p95 < 1.0))
        return rows

    @property
    def passed(self) -> bool:
        return all(met for _target, _measured, met in self.targets())


def table(result: Result) -> str:
    """The figures and the targets, as a plain-text table."""
    reads, writes = result.latency("read"), result.latency("write")
    sign_ins = result.latency("sign-in")
    lines = [
        f"Soak on {result.database}: {result.servers} server(s) × {result.workers} workers, "
        f"{result.clients} clients ({result.signed_in} signed in), {result.seconds:.0f} s",
        "",
        _row("requests", f"{len(result.timings)} ({result.unanswered} without an answer)"),
        _row("writes acknowledged", str(result.acknowledged)),
        *_by_action(result.by_action),
        _row("writes refused (4xx, form again)", str(result.refused)),
        _row("writes without an answer", f"{result.unknown} ({result.retried} retried)"),
        _row("reads p50 / p95 / max (s)", f"{reads}  ({reads.count})"),
        _row("writes p50 / p95 / max (s)", f"{writes}  ({writes.count})"),
        _row("sign-ins p50 / p95 / max (s)", f"{sign_ins}  ({sign_ins.count})"),
    ]
    if result.recompute is not None:
        during = result.latency("write", during_recompute=True)
        start, end = result.recompute
        lines.append(
            _row(f"writes during recompute ({end - start:.0f} s)", f"{during}  ({during.count})")
        )
    for race in result.races:
        lines.append(
            _row(
                f"race {race.kind}",
                f"{race.run} run: {race.both} both, {race.one} one, {race.neither} neither, "
                f"{race.errors} 5xx",
            )
        )
    lines += ["", f"{'target':<44} {'measured':>12}  result"]
    for target, measured, met in result.targets():
        lines.append(f"{target:<44} {measured:>12}  {'pass' if met else 'FAIL'}")
    lines.append(f"{'overall':<44} {'':>12}  {'PASS' if result.passed else 'FAIL'}")
    return "\n".join(lines)


def details(result: Result, limit: int = 10) -> str:
    """The first few problems of each kind, for the person who follows them up."""
    lines = []
    for name in ("lost", "phantom", "duplicates", "half_saved", "double_decisions"):
        found = getattr(result.findings, name)
        if found:
            lines.append(f"{name.replace('_', ' ')} ({len(found)}):")
            lines += [f"  {line}" for line in found[:limit]]
            if len(found) > limit:
                lines.append(f"  … and {len(found) - limit} more")
    return "\n".join(lines + result.notes)


def _by_action(counts: dict[str, int], per_line: int = 3) -> list[str]:
    items = [f"{action} {count}" for action, count in sorted(counts.items())]
    return [
        _row("  of which" if n == 0 else "", ", ".join(items[n : n + per_line]))
        for n in range(0, len(items), per_line)
    ]


def _row(name: str, value: str) -> str:
    return f"{name:<44} {value}"
