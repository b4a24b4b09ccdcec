"""Zalo OA webhook events in the documented shapes (user_send_text, user_send_image)."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

from binhyen.tips.zalo import expected_mac

APP_ID = "app-123"
OA_SECRET = "oa-secret-xyz"
OA_ID = "579745863508352884"

TEXT_EVENT: dict[str, Any] = {
    "app_id": APP_ID,
    "user_id_by_app": "552177279717587730",
    "event_name": "user_send_text",
    "timestamp": "1700000000000",
    "sender": {"id": "4143027627557839389"},
    "recipient": {"id": OA_ID},
    "message": {
        "text": "Ở ngõ 3 thôn Cấm có nhóm thanh niên tụ tập sử dụng ma túy.",
        "msg_id": "96d3cdf3af150460909",
    },
}

IMAGE_EVENT: dict[str, Any] = {
    "app_id": APP_ID,
    "user_id_by_app": "552177279717587730",
    "event_name": "user_send_image",
    "timestamp": "1700000060000",
    "sender": {"id": "4143027627557839389"},
    "recipient": {"id": OA_ID},
    "message": {
        "msg_id": "a1b2c3d4e5f600001",
        "text": "",
        "attachments": [
            {
                "type": "image",
                "payload": {
                    "url": "https://photo-stal-1.zdn.vn/a/b/c.jpg",
                    "thumbnail": "https://photo-stal-1.zdn.vn/a/b/c_thumb.jpg",
                },
            }
        ],
    },
}


def event(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """Return a copy of ``base`` stamped now, with message fields changed."""
    data = copy.deepcopy(base)
    data["timestamp"] = str(int(time.time() * 1000))
    for key, value in changes.items():
        if key in ("text", "msg_id"):
            data["message"][key] = value
        elif key == "sender":
            data["sender"] = {"id": value}
        else:
            data[key] = value
    return data


def signed(data: dict[str, Any], secret: str = OA_SECRET) -> tuple[bytes, str]:
    """Return the raw body and the X-ZEvent-Signature header Zalo would send."""
    raw = json.dumps(data, ensure_ascii=False).encode()
    return raw, "mac=" + expected_mac(APP_ID, raw, str(data["timestamp"]), secret)
