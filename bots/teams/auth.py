"""Requests into /api/messages: check the Bot Connector's bearer token before any activity is processed.

This follows the Bot Framework authentication rules: the token is a JWT signed (RS256) with a key published
in an OpenID metadata document (the Bot Framework's, or the bot's Entra tenant's); its issuer must be the one
that document names, its audience the bot's app id, an endorsed key must endorse the activity's channel, and
the `serviceurl` claim must match the activity's serviceUrl, because the bot sends its own token there.

The Agents SDK has a validator too, but it only fetches keys from Microsoft's fixed URLs; this one takes the
metadata URL from settings (ASSISTANT_TEAMS_OPENID_URL), so tests and national clouds can point it elsewhere,
and hands the SDK the same ClaimsIdentity the SDK's own middleware would.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
from microsoft_agents.hosting.core import ClaimsIdentity

from assistant.errors import AssistantError, ErrorCode
from assistant.settings import Settings

log = logging.getLogger("bots.teams")

BOT_FRAMEWORK_OPENID_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
ENTRA_OPENID_URL = "https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration"
METADATA_LIFETIME = 24 * 3600  # seconds; Microsoft rotates keys with days of overlap
KEY_REFETCH_INTERVAL = 300  # an unknown key id refetches the keys at most this often
CLOCK_SKEW = 300


@dataclass(frozen=True)
class TrustedIssuer:
    """One OpenID metadata document whose keys may sign tokens; `issuers` empty means the one it names."""

    metadata_url: str
    issuers: tuple[str, ...] = ()


@dataclass
class _KeySet:
    issuers: tuple[str, ...]
    jwks_uri: str
    keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    loaded_at: float = 0.0
    keys_loaded_at: float = 0.0


def trusted_issuers(settings: Settings) -> list[TrustedIssuer]:
    """The override when set; otherwise the Bot Framework, plus the bot's Entra tenant when one is configured."""
    if settings.teams_openid_url:
        return [TrustedIssuer(settings.teams_openid_url)]
    trusted = [TrustedIssuer(BOT_FRAMEWORK_OPENID_URL, (BOT_FRAMEWORK_ISSUER,))]
    if settings.teams_tenant_id:
        tenant = settings.teams_tenant_id
        trusted.append(
            TrustedIssuer(
                ENTRA_OPENID_URL.format(tenant=tenant),
                (f"https://login.microsoftonline.com/{tenant}/v2.0", f"https://sts.windows.net/{tenant}/"),
            )
        )
    return trusted


class TokenValidator:
    """Validates incoming tokens; synchronous (it may fetch keys), so callers run it in a worker thread."""

    def __init__(self, app_id: str, trusted: list[TrustedIssuer], timeout: float = 10.0):
        self.app_id = app_id
        self.trusted = trusted
        self.timeout = timeout
        self._sets: dict[str, _KeySet] = {}
        self._lock = threading.Lock()

    def validate(self, authorization: str | None, service_url: str | None, channel_id: str | None) -> ClaimsIdentity:
        """The caller's claims, or AssistantError(UNAUTHENTICATED) with a reason that reveals no key material."""
        try:
            return self._validate(authorization, service_url, channel_id)
        except AssistantError as err:
            log.warning("teams token rejected", extra={"reason": err.message})
            raise

    def _validate(self, authorization: str | None, service_url: str | None, channel_id: str | None) -> ClaimsIdentity:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthenticated("a Bot Framework bearer token is required")
        try:
            header = jwt.get_unverified_header(token)
            unverified_issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        except jwt.PyJWTError as err:
            raise _unauthenticated("the token is malformed") from err
        if header.get("alg") != "RS256" or not header.get("kid"):
            raise _unauthenticated("the token must be RS256-signed with a key id")
        key_set = self._key_set_for(unverified_issuer)
        key_data = self._key(key_set, header["kid"])
        try:
            claims = jwt.decode(
                token,
                key=jwt.PyJWK(key_data, algorithm="RS256"),
                algorithms=["RS256"],
                audience=self.app_id,
                issuer=list(key_set.issuers),
                leeway=CLOCK_SKEW,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as err:
            raise _unauthenticated(f"the token is not valid for this bot ({type(err).__name__})") from err
        endorsements = key_data.get("endorsements")
        if isinstance(endorsements, list) and channel_id not in endorsements:
            raise _unauthenticated("the signing key does not endorse this channel")
        # The bot sends its own access token to the activity's serviceUrl, so a token must vouch for it.
        claimed_url = claims.get("serviceurl")
        if not claimed_url or not _same_url(claimed_url, service_url):
            raise _unauthenticated("the token was not issued for this serviceUrl")
        return ClaimsIdentity(claims, authentication_type="Bearer", security_token=token)

    def _key_set_for(self, issuer: object) -> _KeySet:
        for trusted in self.trusted:
            key_set = self._load(trusted)
            if isinstance(issuer, str) and issuer in key_set.issuers:
                return key_set
        raise _unauthenticated("the token's issuer is not trusted")

    def _load(self, trusted: TrustedIssuer) -> _KeySet:
        with self._lock:
            key_set = self._sets.get(trusted.metadata_url)
            if key_set is None or time.monotonic() - key_set.loaded_at > METADATA_LIFETIME:
                metadata = self._fetch(trusted.metadata_url)
                issuers = trusted.issuers or (str(metadata["issuer"]),)
                key_set = _KeySet(issuers=issuers, jwks_uri=str(metadata["jwks_uri"]), loaded_at=time.monotonic())
                self._sets[trusted.metadata_url] = key_set
            return key_set

    def _key(self, key_set: _KeySet, kid: str) -> dict[str, Any]:
        with self._lock:
            stale = time.monotonic() - key_set.keys_loaded_at > KEY_REFETCH_INTERVAL
            if kid not in key_set.keys and stale:
                jwks = self._fetch(key_set.jwks_uri)
                key_set.keys = {k["kid"]: k for k in jwks.get("keys", []) if "kid" in k}
                key_set.keys_loaded_at = time.monotonic()
            key = key_set.keys.get(kid)
        if key is None:
            raise _unauthenticated("the token is signed with an unknown key")
        return key

    def _fetch(self, url: str) -> dict[str, Any]:
        try:
            response = httpx.get(url, timeout=self.timeout)
            response.raise_for_status()
            data: dict[str, Any] = response.json()
            return data
        except (httpx.HTTPError, ValueError) as err:
            log.error("could not fetch Bot Framework signing keys", extra={"url": url, "error": type(err).__name__})
            raise _unauthenticated("the signing keys could not be fetched") from err


def _same_url(claimed: str, actual: str | None) -> bool:
    return (actual or "").rstrip("/").lower() == claimed.rstrip("/").lower()


def _unauthenticated(reason: str) -> AssistantError:
    return AssistantError(ErrorCode.UNAUTHENTICATED, reason)
