"""The enterprise's contacts: fetched in pages, cached on disk, searched as one types.

`getcontacts` pages (`pageIndex`, `pageSize`) or returns everything (`isAll=yes`). Pages
keep every answer small; a server that ignores paging (the same first contact on page 2)
is asked once for everything instead. The list is cached per server and account in a JSON
file, so the picker opens at once and a refresh is the user's choice.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vmrtray.api import Client, Contact

from .atomic import write_atomic
from .untrusted import plain

PAGE_SIZE = 500
MAX_PAGES = 400  # 200,000 contacts: a bound against a server that never sends a short page


@dataclass(frozen=True)
class Person:
    """A contact as the picker needs it; `key` is what a search looks in."""

    id: str
    name: str
    account: str
    key: str

    @classmethod
    def of(cls, id: str, name: str, account: str) -> Person:
        """The name and account the picker shows are the service's words: made plain
        (core.untrusted), from the service and from a cache written before this did so."""
        name, account = plain(name), plain(account)
        return cls(id, name, account, f"{name}\n{id}\n{account}".casefold())


def _person(contact: Contact) -> Person:
    account = (contact.model_extra or {}).get("account", "")
    return Person.of(contact.id, contact.name, str(account or ""))


async def fetch_all(api: Client, account: str) -> list[Person]:
    people: list[Person] = []
    first_ids: set[str] = set()
    for index in range(1, MAX_PAGES + 1):
        page = await api.get_contacts(account, page_index=index, page_size=PAGE_SIZE)
        if page and page[0].id in first_ids:  # paging ignored: the same page again
            return [_person(c) for c in await api.get_contacts(account, all=True)]
        if page:
            first_ids.add(page[0].id)
        people.extend(_person(c) for c in page)
        if len(page) < PAGE_SIZE:
            break
    return people


async def page(api: Client, account: str, index: int, size: int) -> list[Contact]:
    """One page of the list, as the service answers it (`vmrctl contacts --page N --size M`)."""
    return await api.get_contacts(account, page_index=index, page_size=size)


async def everyone(api: Client, account: str) -> list[Contact]:
    """The whole list in one answer (`isAll=yes`), as the service gives it."""
    return await api.get_contacts(account, all=True)


def holding(contacts: Sequence[Contact], text: str) -> list[Contact]:
    """The contacts whose name, id or account holds `text` as it is written, in any case (`vmrctl
    contacts --search`: a script's filter; the picker's `search` narrows word by word instead)."""
    needle = text.casefold()
    return [c for c in contacts if needle in _person(c).key]


def search(people: Sequence[Person], text: str, within: Sequence[int] | None = None) -> list[int]:
    """Indexes of the people whose name, id or account holds every word of `text`.

    `within`: the indexes an earlier search found, when `text` only grew (typing narrows).
    """
    words = text.casefold().split()
    candidates = range(len(people)) if within is None else within
    if not words:
        return list(candidates)
    return [n for n in candidates if all(w in people[n].key for w in words)]


class ContactCache:
    """One server's and account's contacts, on disk between runs."""

    def __init__(self, folder: Path, server: str, account: str) -> None:
        name = hashlib.sha256(f"{server}\n{account}".encode()).hexdigest()[:16]
        self.path = folder / f"contacts-{name}.json"
        self.people: list[Person] = []
        self.fetched_at: datetime | None = None

    async def load(self) -> bool:
        """The cached list, if there is one; False when it has to be fetched."""
        return await asyncio.to_thread(self._load)

    def _load(self) -> bool:
        try:
            data = json.loads(self.path.read_text("utf-8"))
            self.people = [Person.of(str(i), str(n), str(a)) for i, n, a in data["people"]]
            self.fetched_at = datetime.fromisoformat(data["fetched_at"])
        except (OSError, ValueError, KeyError, TypeError):
            return False
        return True

    async def refresh(self, api: Client, account: str) -> list[Person]:
        self.people = await fetch_all(api, account)
        self.fetched_at = datetime.now(UTC)
        await asyncio.to_thread(self._save)
        return self.people

    def _save(self) -> None:
        fetched = self.fetched_at.isoformat() if self.fetched_at else ""
        data = {"fetched_at": fetched, "people": [[p.id, p.name, p.account] for p in self.people]}
        with contextlib.suppress(OSError):  # a cache: without it the next run fetches again
            write_atomic(self.path, json.dumps(data, ensure_ascii=False).encode())
