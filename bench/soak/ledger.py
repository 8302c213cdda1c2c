"""Each client's ledger: every write it attempted and what the server answered.

A write that creates something carries a marker in one of its text fields (the complaint's
text, the engagement's project, the fee's basis...), unique to the attempt, so that the
check can find exactly the rows each attempt made. A transition (accepting a complaint,
confirming a delivery) is identified by its action and the object it acted on.
"""

import re
from dataclasses import dataclass, field
from enum import StrEnum

MARKER = re.compile(r"SOAK-[0-9a-f]{6}-\d+-\d+")


class Outcome(StrEnum):
    ACKNOWLEDGED = "acknowledged"  # the redirect after success, or the page with a success flash
    REFUSED = "refused"  # a 4xx, or the form again with its refusal, or a warning flash
    ERROR = "error"  # a 5xx
    UNKNOWN = "unknown"  # no answer at all, even to the one retry: it may or may not have landed


@dataclass
class Entry:
    """One attempted write: what it was, on which object, with which marker, and its outcome.

    action: the audit action the write records when it succeeds ("complaint.filed"...).
    object_id: the object acted on (a transition) or created (read from the redirect).
    retried: the first POST got no answer and the same POST (same tokens) was sent again.
    """

    client: str
    action: str
    outcome: Outcome
    status: int | None = None
    object_id: int | None = None
    marker: str | None = None
    retried: bool = False
    message: str = ""


@dataclass
class Ledger:
    """Entries of one or many clients."""

    entries: list[Entry] = field(default_factory=list)

    def add(self, entry: Entry) -> Entry:
        self.entries.append(entry)
        return entry

    def extend(self, other: "Ledger") -> None:
        self.entries.extend(other.entries)

    def with_outcome(self, *outcomes: Outcome) -> list[Entry]:
        return [entry for entry in self.entries if entry.outcome in outcomes]

    def acknowledged(self) -> list[Entry]:
        return self.with_outcome(Outcome.ACKNOWLEDGED)

    def by_marker(self) -> dict[str, list[Entry]]:
        found: dict[str, list[Entry]] = {}
        for entry in self.entries:
            if entry.marker:
                found.setdefault(entry.marker, []).append(entry)
        return found

    def count(self, outcome: Outcome) -> int:
        return len(self.with_outcome(outcome))


class Markers:
    """Markers for one client of one run: SOAK-<run>-<client>-<n>."""

    def __init__(self, run: str, client: int):
        self.prefix = f"SOAK-{run}-{client}-"
        self.next = 0

    def new(self) -> str:
        self.next += 1
        return f"{self.prefix}{self.next}"


def markers_in(text: str | None) -> list[str]:
    return MARKER.findall(text or "")
