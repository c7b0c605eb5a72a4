"""Which SLA level crossings a ticket has recorded: once per run of a clock and per level (pure: no queries).

A crossing is a running clock reaching at_risk, breached or late_3x. The sweep (`services.sla_alerts`) records
it as an `sla_level` event with a unique `dedupe_key` and tells people only when its insert made the row. The
key names the run of the clock, not its due time: `sla:{ticket}:{clock}:{level}:run:{start}:{value}:{unit}`
(`ClockState.run`: the start in Unix seconds and the target). A pause moves the due time, not the run, so each
level of a run is told once; a new wait, a new hand-off or a new target is a new run (docs/SLA.md, section 6).

Keys recorded before this rule held the due time instead (`sla:{ticket}:{clock}:{level}:{due}`). Such an old
crossing counts for the run that was running when it was reached: the one that started at or before its `at`
(the moment the level was reached). So existing databases are not told their crossings again, and a wait or a
hand-off that starts after an old crossing is still a new run.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from webcare.services.sla_clocks import ClockState


def crossing_key(ticket_id: int, clock: str, level: str, state: ClockState) -> str:
    return f"sla:{ticket_id}:{clock}:{level}:run:{state.run}"


class Recorded:
    """The crossings of one ticket recorded so far, read from its `sla_level` events (other events are skipped)."""

    __slots__ = ("keys", "old")

    def __init__(self, events: Iterable) -> None:
        self.keys: set[str] = set()
        self.old: dict[tuple[str, str], datetime] = {}  # (clock, level) -> latest `at` recorded under an old key
        for event in events:
            if event.type != "sla_level":
                continue
            if ":run:" in (event.dedupe_key or ""):
                self.keys.add(event.dedupe_key)
                continue
            name = ((event.data or {}).get("clock"), (event.data or {}).get("level"))
            if name not in self.old or event.at > self.old[name]:
                self.old[name] = event.at

    def has(self, ticket_id: int, clock: str, level: str, state: ClockState) -> bool:
        """Whether this level of the clock's current run is recorded."""
        if crossing_key(ticket_id, clock, level, state) in self.keys:
            return True
        reached = self.old.get((clock, level))
        return reached is not None and reached >= state.start
