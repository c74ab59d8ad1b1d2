"""Local stand-ins for the Microsoft services the Teams bot talks to, on one loopback HTTP server.

- Bot Framework OpenID metadata and signing keys (what login.botframework.com publishes); the key is an RSA key
  generated here, so tests can sign the tokens the Bot Connector would send.
- The Entra token endpoint the bot gets its own outgoing token from. Entra's real token service cannot run here;
  this is the only part that is a mock, and it checks the client id, secret and scope like the real one.
- The Bot Connector at the activity's serviceUrl: records every activity the bot posts, and refuses (401) any
  post without the token the token endpoint issued.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
KEY_ID = "local-test-key"


@dataclass(frozen=True)
class Reply:
    """One activity the bot posted to the connector."""

    conversation_id: str
    reply_to_id: str | None
    authorization: str
    activity: dict[str, Any]

    @property
    def card(self) -> dict[str, Any] | None:
        for attachment in self.activity.get("attachments", []):
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return dict(attachment["content"])
        return None


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class BotServices:
    """Start with `with BotServices.running(app_id, secret) as services:`; URLs are on services."""

    def __init__(self, app_id: str, app_secret: str):
        self.app_id = app_id
        self.app_secret = app_secret
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.issued_token = f"bot-token-{uuid.uuid4().hex}"
        self.replies: list[Reply] = []
        self.token_requests: list[dict[str, str]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self.openid_url = f"{self.url}/v1/.well-known/openidconfiguration"
        self.token_url = f"{self.url}/tenant/oauth2/v2.0/token"
        self.service_url = f"{self.url}/connector/"

    @classmethod
    @contextmanager
    def running(cls, app_id: str, app_secret: str) -> Iterator[BotServices]:
        services = cls(app_id, app_secret)
        thread = threading.Thread(target=services._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        try:
            yield services
        finally:
            services._server.shutdown()
            services._server.server_close()

    # --- what the Bot Connector sends ---------------------------------------------------------------

    def channel_token(self, key: rsa.RSAPrivateKey | None = None, **claims: Any) -> str:
        """A token like the Bot Connector's for a Teams activity; claims override the defaults."""
        now = int(time.time())
        payload = {"iss": BOT_FRAMEWORK_ISSUER, "aud": self.app_id, "serviceurl": self.service_url,
                   "nbf": now - 10, "exp": now + 3600, **claims}  # fmt: skip
        return jwt.encode(payload, key or self.key, algorithm="RS256", headers={"kid": KEY_ID})

    def replies_to(self, conversation_id: str) -> list[Reply]:
        return [r for r in self.replies if r.conversation_id == conversation_id and r.activity.get("type") == "message"]

    # --- the server --------------------------------------------------------------------------------

    def _jwks(self) -> dict[str, Any]:
        numbers = self.key.public_key().public_numbers()
        jwk = {"kty": "RSA", "use": "sig", "kid": KEY_ID, "n": _b64(numbers.n), "e": _b64(numbers.e),
               "endorsements": ["msteams"]}  # fmt: skip
        return {"keys": [jwk]}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        services = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                if path == "/v1/.well-known/openidconfiguration":
                    self._send(200, {"issuer": BOT_FRAMEWORK_ISSUER, "jwks_uri": f"{services.url}/v1/.well-known/keys",
                                     "id_token_signing_alg_values_supported": ["RS256"]})  # fmt: skip
                elif path == "/v1/.well-known/keys":
                    self._send(200, services._jwks())
                else:
                    self._send(404, {"error": "not found"})

            def do_POST(self) -> None:
                path = unquote(urlsplit(self.path).path)
                if path == "/tenant/oauth2/v2.0/token":
                    self._token(dict((k, v[0]) for k, v in parse_qs(self._body().decode()).items()))
                elif path.startswith("/connector/v3/conversations/"):
                    self._activity(path.removeprefix("/connector/v3/conversations/"))
                else:
                    self._send(404, {"error": "not found"})

            def _token(self, form: dict[str, str]) -> None:
                services.token_requests.append(form)
                if (form.get("grant_type"), form.get("client_id"), form.get("client_secret")) != (
                    "client_credentials",
                    services.app_id,
                    services.app_secret,
                ):
                    self._send(401, {"error": "invalid_client"})
                elif form.get("scope") != "https://api.botframework.com/.default":
                    self._send(400, {"error": "invalid_scope"})
                else:
                    self._send(200, {"token_type": "Bearer", "expires_in": 3599,
                                     "access_token": services.issued_token})  # fmt: skip

            def _activity(self, rest: str) -> None:
                conversation_id, _, tail = rest.partition("/activities")
                authorization = self.headers.get("Authorization", "")
                activity = json.loads(self._body() or b"{}")
                services.replies.append(Reply(conversation_id, tail.strip("/") or None, authorization, activity))
                if authorization != f"Bearer {services.issued_token}":
                    self._send(401, {"error": {"code": "Unauthorized"}})
                else:
                    self._send(201, {"id": f"reply-{len(services.replies)}"})

        return Handler
