"""The settings dialog's key store, kept in memory: what it loads, stores and saves, seen by the test."""

from __future__ import annotations

from vmrtray.core.credentials import CredentialsError
from vmrtray.core.settings import Settings
from vmrtray.ui.settings_dialog import Keys


class MemoryKeys:
    """Keys known per server, and every Settings the dialog saved, in order."""

    def __init__(self, known: dict[str, str] | None = None) -> None:
        self.known = dict(known or {})
        self.saved: list[Settings] = []

    async def load(self, server: str) -> str:
        if server not in self.known:
            raise CredentialsError("no-key")
        return self.known[server]

    async def store(self, server: str, key: str) -> None:
        self.known[server] = key

    async def save_settings(self, settings: Settings) -> None:
        self.saved.append(settings)

    def keys(self) -> Keys:
        return Keys(self.load, self.store, self.save_settings)
