"""A local stand-in for Slack: the Web API methods the bot uses, response_url hooks and a Socket Mode
WebSocket, on a free loopback port. Every call is recorded so tests can assert what Slack would have
received (in the spirit of bolt-python's tests/mock_web_api_server).

Web API calls must carry the right token, as on slack.com: the bot token everywhere, the app-level
token for apps.connections.open.
"""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

TEAM_ID = "T0NRV"
BOT_USER_ID = "U0BOT"


@dataclass(frozen=True)
class Call:
    """One request Slack would have received: a Web API method ("chat.postMessage") or "response_url"."""

    method: str
    params: dict[str, Any]
    token: str | None = None
    path: str = ""


@dataclass
class SlackApiServer:
    bot_token: str
    app_token: str = "xapp-1-test"
    calls: list[Call] = field(default_factory=list)
    socket_messages: list[dict[str, Any]] = field(default_factory=list)  # what the bot sent over Socket Mode
    port: int = 0

    def __post_init__(self) -> None:
        self._changed = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="slack-api-server", daemon=True)
        self._sockets: list[web.WebSocketResponse] = []
        self._runner: web.AppRunner | None = None
        self._ts = 0

    # --- lifecycle ----------------------------------------------------------------------------------

    def start(self) -> SlackApiServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(timeout=10)
        return self

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    @property
    def api_url(self) -> str:
        """What ASSISTANT_SLACK_API_URL points at (slack_sdk's base_url ends with a slash)."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "hook") -> str:
        return f"http://127.0.0.1:{self.port}/response/{name}"

    # --- what tests ask -----------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        with self._changed:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 15) -> list[Call]:
        """The calls to `method` once there are at least `count` of them; fails the test after `timeout`."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._matching(method)) >= count, timeout=timeout):
                raise AssertionError(
                    f"Slack did not receive {count} x {method}; calls: {[c.method for c in self.calls]}"
                )
            return self._matching(method)

    def send_envelope(self, envelope: dict[str, Any]) -> None:
        """Push a Socket Mode envelope to every connected client."""
        asyncio.run_coroutine_threadsafe(self._broadcast(envelope), self._loop).result(timeout=10)

    def wait_for_socket_message(self, predicate: Any, timeout: float = 15) -> dict[str, Any]:
        with self._changed:
            if not self._changed.wait_for(lambda: any(predicate(m) for m in self.socket_messages), timeout=timeout):
                raise AssertionError(f"no such Socket Mode message; got {self.socket_messages}")
            return next(m for m in self.socket_messages if predicate(m))

    def wait_for_socket_client(self, timeout: float = 15) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: bool(self._sockets), timeout=timeout):
                raise AssertionError("no Socket Mode client connected")

    # --- the server ---------------------------------------------------------------------------------

    def _matching(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def _record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._web_api)
        app.router.add_post("/response/{name}", self._response_url)
        app.router.add_get("/link", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def _web_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else params.get("token")
        self._record(Call(method, params, token, request.path))
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        if token != expected:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response(self._result(method, params))

    def _result(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self._ts += 1
        ts = f"1760000000.{self._ts:06d}"
        results: dict[str, dict[str, Any]] = {
            "auth.test": {
                "url": "https://nrv.slack.com/",
                "team": "NRV",
                "user": "vagledning",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": "B0BOT",
            },
            "chat.postMessage": {
                "channel": params.get("channel"),
                "ts": ts,
                "message": {"text": params.get("text"), "ts": ts},
            },
            "chat.postEphemeral": {"message_ts": ts},
            "views.open": {"view": {"id": "V0MODAL", **(params.get("view") or {})}},
            "apps.connections.open": {"url": f"ws://127.0.0.1:{self.port}/link?ticket=test"},
        }
        if method not in results:
            return {"ok": False, "error": "unknown_method"}
        return {"ok": True, **results[method]}

    async def _response_url(self, request: web.Request) -> web.Response:
        self._record(Call("response_url", await _params(request), None, request.path))
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        with self._changed:
            self._sockets.append(socket)
            self._changed.notify_all()
        await socket.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0NRV"}})
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                with self._changed:
                    self.socket_messages.append(json.loads(message.data))
                    self._changed.notify_all()
        with self._changed:
            self._sockets.remove(socket)
        return socket

    async def _broadcast(self, envelope: dict[str, Any]) -> None:
        for socket in list(self._sockets):
            await socket.send_json(envelope)


async def _params(request: web.Request) -> dict[str, Any]:
    raw = await request.text()
    if request.content_type == "application/json":
        return dict(json.loads(raw or "{}"))
    params: dict[str, Any] = dict(parse_qsl(raw))
    for key in ("blocks", "view"):  # form-encoded calls send these as JSON strings
        if isinstance(params.get(key), str):
            params[key] = json.loads(params[key])
    return params
