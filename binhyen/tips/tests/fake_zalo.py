"""A local fake of the Zalo OA API (message and token endpoints) for tests.

It records every request and can be told to fail: ``message_failures`` HTTP 500 answers,
``token_expired`` answers with Zalo's invalid-token error, ``refresh_refused`` refusals of
the refresh. Refresh tokens are single-use, as at Zalo: a spent one is refused.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class FakeOA:
    base: str = ""
    access_token: str = "access-1"
    refresh_token: str = "refresh-1"
    expires_in: int = 90000
    generation: int = 1
    message_failures: int = 0
    token_expired: int = 0
    refresh_refused: bool = False
    messages: list[dict[str, Any]] = field(default_factory=list)
    message_tokens: list[str] = field(default_factory=list)
    refreshes: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(oa: FakeOA) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with oa.lock:
                if self.path == "/v3.0/oa/message/cs":
                    self._message(raw)
                elif self.path == "/v4/oa/access_token":
                    self._token(raw)
                else:
                    self._answer(404, {"error": 404})

        def _message(self, raw: bytes) -> None:
            token = self.headers.get("access_token", "")
            oa.message_tokens.append(token)
            if oa.message_failures > 0:
                oa.message_failures -= 1
                self._answer(500, {"error": -1})
                return
            if oa.token_expired > 0 or token != oa.access_token:
                oa.token_expired = max(oa.token_expired - 1, 0)
                self._answer(200, {"error": -216, "message": "Access token is invalid"})
                return
            oa.messages.append(json.loads(raw))
            self._answer(200, {"error": 0, "message": "Success", "data": {"message_id": "x"}})

        def _token(self, raw: bytes) -> None:
            form = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
            form["secret_key"] = self.headers.get("secret_key", "")
            oa.refreshes.append(form)
            if oa.refresh_refused or form.get("refresh_token") != oa.refresh_token:
                self._answer(200, {"error": -14014, "error_name": "Invalid refresh token"})
                return
            oa.generation += 1
            oa.access_token = f"access-{oa.generation}"
            oa.refresh_token = f"refresh-{oa.generation}"
            self._answer(
                200,
                {
                    "access_token": oa.access_token,
                    "refresh_token": oa.refresh_token,
                    "expires_in": str(oa.expires_in),
                },
            )

        def log_message(self, *args: Any) -> None:
            return

    return Handler


def start() -> tuple[ThreadingHTTPServer, FakeOA]:
    oa = FakeOA()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(oa))
    oa.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, oa
