"""Which events become desktop alerts, and when: switchable per kind, never a flood.

An event is alerted when its group is switched on and it is not quiet (just after a wake).
A room that changes again within `gap` seconds of its last alert is held back; when the gap
has passed, one alert says where it ended up and how often it changed. The tray calls
`push` with each refresh's events and `due` on a timer. No Qt here.

The settings filter what happens by itself: the end of a toggle the user clicked
(`Event.asked`) is their answer, alerted at once whatever the switches, a wake or the gap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from vmrtray.api import Lang

from .events import Event, Kind

DEFAULT_GAP = 60.0
#: A recording that did not start (failed, or a start of ours never confirmed), a rejected
#: key, an unreachable service.
URGENT = frozenset({Kind.RECORDING_FAILED, Kind.RECORDING_UNCONFIRMED, Kind.SIGNED_OUT, Kind.SERVICE_UNREACHABLE})


@dataclass(frozen=True)
class Alert:
    title: str
    body: str
    urgent: bool = False


@dataclass
class _Held:
    latest: Event
    changes: int = 1


@dataclass
class Notifier:
    enabled: Mapping[str, bool] = field(default_factory=dict)  # group → on; absent means on
    gap: float = DEFAULT_GAP
    lang: Lang = "en"
    _last: dict[str, float] = field(default_factory=dict)  # room → when it was last alerted
    _held: dict[str, _Held] = field(default_factory=dict)

    def push(self, events: Iterable[Event], now: float) -> list[Alert]:
        alerts: list[Alert] = []
        for event in events:
            if not event.asked and (event.quiet or not self.enabled.get(event.group, True)):
                continue
            key = event.room or "*"
            if not event.asked and now - self._last.get(key, -1e18) < self.gap:
                held = self._held.get(key)
                self._held[key] = _Held(event, held.changes + 1 if held else 1)
                continue
            self._last[key] = now
            alerts.append(self._alert(event))
        return alerts

    def due(self, now: float) -> list[Alert]:
        """Alerts held back whose gap has passed: one per room, its latest state."""
        alerts = []
        for key, held in list(self._held.items()):
            if now - self._last.get(key, -1e18) >= self.gap:
                del self._held[key]
                self._last[key] = now
                alerts.append(self._alert(held.latest, held.changes))
        return alerts

    def _alert(self, event: Event, changes: int = 1) -> Alert:
        body = event.describe(self.lang)
        if changes > 1:
            body += f"（{changes} 次变化）" if self.lang == "zh" else f" ({changes} changes)"
        title = event.label or ("会议服务" if self.lang == "zh" else "Meeting service")
        return Alert(title, body, urgent=event.kind in URGENT)
