"""The bot's own token for replies: OAuth 2.0 client credentials against Entra, cached until shortly before expiry.

The Agents SDK gets its outgoing token from a `Connections` object; its MSAL-based implementation is a separate
package that talks only to Microsoft's login service. This small one posts the standard client-credentials form to
the token endpoint from settings (ASSISTANT_TEAMS_TOKEN_URL for tests and national clouds), so the whole reply
path can run against local servers.
"""

from __future__ import annotations

import logging
import time

import httpx
from azure.core.credentials_async import AsyncTokenCredential
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import (
    AccessTokenProviderBase,
    AgentAuthConfiguration,
    ClaimsIdentity,
    Connections,
)
from pydantic import SecretStr

from assistant.settings import Settings

log = logging.getLogger("bots.teams")

ENTRA_TOKEN_URL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
LEGACY_MULTI_TENANT = "botframework.com"  # the token authority of bots registered before single-tenant became default
EXPIRY_MARGIN = 300  # seconds before expiry when a cached token is renewed


class BotTokenError(RuntimeError):
    """The token endpoint refused or could not be reached; the message never contains the secret."""


class BotTokenProvider(AccessTokenProviderBase):
    """Client-credentials tokens for the bot's app id, one cached token per scope."""

    def __init__(self, app_id: str, secret: SecretStr, token_url: str, tenant_id: str | None = None):
        self._configuration = AgentAuthConfiguration(client_id=app_id, tenant_id=tenant_id)
        self._secret = secret
        self.token_url = token_url
        self._cache: dict[str, tuple[str, float]] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> BotTokenProvider:
        assert settings.teams_app_id and settings.teams_app_password  # install() checks both first
        token_url = settings.teams_token_url or ENTRA_TOKEN_URL.format(
            tenant=settings.teams_tenant_id or LEGACY_MULTI_TENANT
        )
        return cls(settings.teams_app_id, settings.teams_app_password, token_url, settings.teams_tenant_id)

    @property
    def configuration(self) -> AgentAuthConfiguration:
        return self._configuration

    async def get_access_token(self, resource_url: str, scopes: list[str], force_refresh: bool = False) -> str:
        scope = scopes[0] if scopes else f"{resource_url.rstrip('/')}/.default"
        cached = self._cache.get(scope)
        if cached and not force_refresh and cached[1] > time.monotonic():
            return cached[0]
        form = {
            "grant_type": "client_credentials",
            "client_id": self._configuration.CLIENT_ID or "",
            "client_secret": self._secret.get_secret_value(),
            "scope": scope,
        }
        try:
            async with httpx.AsyncClient(timeout=10.0) as client:
                response = await client.post(self.token_url, data=form)
            body = response.json()
        except (httpx.HTTPError, ValueError) as err:
            raise BotTokenError(f"the bot token endpoint could not be reached ({type(err).__name__})") from err
        if response.status_code != 200 or "access_token" not in body:
            log.error("bot token refused", extra={"status": response.status_code, "error": body.get("error")})
            raise BotTokenError(f"the bot token endpoint refused the app id or secret ({body.get('error', '?')})")
        token = str(body["access_token"])
        lifetime = float(body.get("expires_in", 3600))
        self._cache[scope] = (token, time.monotonic() + max(0.0, lifetime - EXPIRY_MARGIN))
        return token

    def get_token_credential(self) -> AsyncTokenCredential:
        raise NotImplementedError("the Teams channel only needs access tokens")


class BotConnections(Connections):
    """The SDK's connection manager with a single connection: the bot's own app registration."""

    def __init__(self, provider: BotTokenProvider):
        self.provider = provider

    def get_connection(self, connection_name: str) -> AccessTokenProviderBase:
        return self.provider

    def get_default_connection(self) -> AccessTokenProviderBase:
        return self.provider

    def get_token_provider(self, claims_identity: ClaimsIdentity, service_url: str) -> AccessTokenProviderBase:
        return self.provider

    def get_token_provider_from_activity(
        self, claims_identity: ClaimsIdentity, activity: Activity
    ) -> AccessTokenProviderBase:
        return self.provider

    def get_default_connection_configuration(self) -> AgentAuthConfiguration:
        return self.provider.configuration
