"""The demo world: the two demo tenants with their keys, accounts, rooms and people, and
the lively script that makes meetings come and go.

`DemoWorld` is the service's state (`SimState`, the rules) filled with this world; every
`Sim` serves one. The world is seeded: the same seed plays the same script.
"""

from __future__ import annotations

import hashlib
import random

from .state import Meeting, SimState, Tenant

#: The demo tenants' credentials (public: "API ID:API KEY"; dedicated: the tenant key).
DEMO_API_ID = hashlib.md5(b"vmrtray demo api id").hexdigest()  # noqa: S324 - a fixed demo value
DEMO_API_KEY = hashlib.md5(b"vmrtray demo api key").hexdigest()  # noqa: S324
DEMO_PUBLIC_KEY = f"{DEMO_API_ID}:{DEMO_API_KEY}"
DEMO_DEDICATED_KEY = "800"
DEMO_ACCOUNT = "demo@demo.myvmr.cn"
DEMO_DEDICATED_ACCOUNT = "admin@corp.example"

ROOM_NAMES = ["研发部会议室", "市场部会议室", "总经理办公室", "大会议室", "小会议室", "培训讲堂"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


class DemoWorld(SimState):
    """The service's state with the demo's public tenant (`rooms` rooms, the first in a
    meeting, the last one not allowed to record; `contacts` people) and its dedicated one."""

    def __init__(self, *, rooms: int = 6, contacts: int = 40, seed: int = 0, share_host: str = "127.0.0.1") -> None:
        super().__init__(seed=seed, share_host=share_host)
        self._build_public(rooms, contacts)
        self._build_dedicated()

    def _build_public(self, rooms: int, contacts: int) -> None:
        tenant = Tenant(
            key=DEMO_PUBLIC_KEY,
            ent_id=52,
            name="演示企业 Demo Co.",
            domain="demo.myvmr.cn",
            accounts={DEMO_ACCOUNT: (2756, "演示管理员"), "alice@demo.myvmr.cn": (2757, "Alice")},
        )
        for i in range(rooms):
            name = ROOM_NAMES[i] if i < len(ROOM_NAMES) else f"会议室{i + 1}"
            room = self.add_room(tenant, str(100701 + i), name, type=2 if name.endswith("讲堂") else 1)
            room.may_record = not (rooms > 1 and i == rooms - 1)  # the last room may not record
        first = next(iter(tenant.rooms.values()), None)
        if first is not None:
            first.meeting = Meeting(participants=3)
        self.set_contacts(tenant, contacts)
        self.tenants[tenant.key] = tenant

    def _build_dedicated(self) -> None:
        tenant = Tenant(
            key=DEMO_DEDICATED_KEY,
            ent_id=800,
            name="专属云企业",
            domain="corp.example",
            accounts={DEMO_DEDICATED_ACCOUNT: (1, "管理员")},
        )
        for i in range(3):
            self.add_room(tenant, str(8000000 + i), f"专属会议室{i + 1}")
        self.set_contacts(tenant, 5)
        self.tenants[tenant.key] = tenant

    def set_contacts(self, tenant: Tenant, count: int) -> None:
        """Give `tenant` `count` invented people (the same ones for the same count)."""
        rng = random.Random(count)
        tenant.contacts = [
            (9100 + i, rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), f"user{i}@{tenant.domain}")
            for i in range(count)
        ]

    def script_step(self) -> None:
        """One tick of the demo script: people come, go, start and end meetings."""
        rng = self.rng
        tenant = self.tenants[DEMO_PUBLIC_KEY]
        for room in tenant.rooms.values():
            meeting = room.meeting
            if meeting is None:
                if rng.random() < 0.08:
                    room.meeting = Meeting(participants=rng.randint(1, 4))
            elif rng.random() < 0.05:
                self.end_meeting(tenant, room)
            else:
                meeting.participants = max(1, meeting.participants + rng.choice((-1, 0, 0, 1, 1)))
                if room.may_live and rng.random() < 0.02:
                    meeting.live = not meeting.live
