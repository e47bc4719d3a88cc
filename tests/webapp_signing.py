"""Mini App initData signed as Telegram signs it, written from Telegram's documentation with
hmac and hashlib only (not with the code under test), so the tests check our validation
against an independent reading of the spec:

    secret_key = HMAC_SHA256(key="WebAppData", message=bot_token)
    hash = hex(HMAC_SHA256(key=secret_key, message=data_check_string))

where data_check_string is every field but `hash`, as key=value, sorted by key, joined by \\n.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode


def sign(fields: dict[str, str], token: str) -> str:
    """The hash Telegram would put beside these fields."""
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    return hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()


def init_data(token: str, *, user_id: int = 4242, language_code: str = "zh-hans",
              auth_date: float | None = None, first_name: str = "星辰",
              username: str | None = "xingchen", **extra: str) -> str:
    """A query string like Telegram.WebApp.initData for this user, signed with `token`."""
    user: dict[str, Any] = {"id": user_id, "first_name": first_name,
                            "language_code": language_code, "allows_write_to_pm": True}
    if username:
        user["username"] = username
    fields = {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(user, ensure_ascii=False, separators=(",", ":")),
        "auth_date": str(int(time.time() if auth_date is None else auth_date)),
        **extra,
    }
    return urlencode({**fields, "hash": sign(fields, token)})
