"""The demo district's other systems, all through `integrations.services`: one system
token for the district's city-operations centre (the token itself is not kept; the
printed logins say it was created), one event subscription to a local address where
nothing listens (its deliveries fail and back off, and end on the dead-letter list a
person replays), and a small batch of 12345 work orders imported as the city platform
exports them, located by the address matcher as any caller's address is: most name a
door of the demo street's standard address registry in the spellings callers use
(full-width digits, a room number), one names no door and waits in the district's
placement queue for a person to place."""

import datetime
import random

from django.utils import timezone

from jiceng.core.models import Area, StandardAddress
from jiceng.integrations import services
from jiceng.integrations.models import Subscription

TOKEN_NAME = "区城市运行管理中心"
SUBSCRIPTION_NAME = "区城运中心事件接收（演示：接收方离线）"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
# The discard port: nothing answers, so every attempt fails at once.
FAILING_URL = "http://127.0.0.1:9/jiceng-demo-webhook"
HOTLINE_TEXTS = [
    ("垃圾清运与环境卫生", "弄堂口垃圾桶满了没人清运"),
    ("施工噪音", "晚上十点以后还在施工，噪音很大"),
    ("道路破损与井盖", "人行道井盖松动，踩上去会响"),
    ("停车管理", "小区门口长期占道停车"),
    ("绿化养护", "行道树树枝挡住路灯"),
    ("电梯故障", "楼里电梯经常停在半层"),
]


def fill(*, seed: int, anchors) -> None:
    district, street = anchors.district, anchors.street
    if district is None or street is None:
        return
    services.system_token_create(
        actor=None, name=TOKEN_NAME, area=district, permissions=["read", "file"]
    )
    services.subscription_create(
        actor=None,
        name=SUBSCRIPTION_NAME,
        url=FAILING_URL,
        events=[str(e) for e in Subscription.Event],
        area=district,
    )
    rng = random.Random(seed * 18 + 12345)
    communities = list(
        Area.objects.filter(parent=street, level=Area.Level.COMMUNITY).order_by("code")[:5]
    )
    now = timezone.localtime()
    day = now.strftime("%Y%m%d")
    rows = []
    for n, community in enumerate(communities, start=1):
        category, text = HOTLINE_TEXTS[(n - 1) % len(HOTLINE_TEXTS)]
        door = (
            StandardAddress.objects.filter(building__path__startswith=community.path)
            .order_by("building__path")
            .values_list("text", flat=True)
            .first()
        )
        # As callers write it: the city, district and street first; every other one in
        # full-width digits (the matcher normalizes both), with a room number.
        where = f"{door}{rng.randrange(1, 7)}0{rng.randrange(1, 4)}室" if door else community.name
        if n % 2 == 0:
            where = where.translate(FULL_WIDTH)
        rows.append(
            (
                n,
                {
                    "number": f"SH12345-{day}-{n:04d}",
                    "called_at": (now - datetime.timedelta(hours=n)).isoformat(),
                    "category": category,
                    "address": f"上海市{district.name}{street.name}{where}",
                    "content": text,
                    "phone": f"139{rng.randrange(10**8):08d}",
                },
            )
        )
    # One the registry does not know: filed at the district, in its placement queue.
    rows.append(
        (
            len(rows) + 1,
            {
                "number": f"SH12345-{day}-{len(rows) + 1:04d}",
                "called_at": now.isoformat(),
                "category": "其他",
                "address": f"{district.name}某小区门口",
                "content": "路灯不亮已经一周",
                "phone": "",
            },
        )
    )
    services.hotline_import(actor=None, district=district, rows=rows)
