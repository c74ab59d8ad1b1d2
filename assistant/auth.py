"""Sign-in and roles: OIDC bearer tokens (Entra ID and similar), a trusted proxy header, scoped API tokens,
and a development mode that only works on loopback. Unauthenticated is 401, the wrong role 403, everywhere.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import jwt
from fastapi import Request
from sqlalchemy import select

from assistant.db import ApiToken, Database, utcnow
from assistant.errors import AssistantError, ErrorCode
from assistant.messages import Phrase
from assistant.settings import Settings

TOKEN_PREFIX = "vat_"
PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip", "x-forwarded-host")


class Role(StrEnum):
    CASEWORKER = "caseworker"
    EDITOR = "editor"
    QUALITY_LEAD = "quality_lead"
    ADMIN = "admin"


# Who may do what: a role includes the rights of those listed after it.
INCLUDES = {
    Role.ADMIN: {Role.ADMIN, Role.QUALITY_LEAD, Role.EDITOR, Role.CASEWORKER},
    Role.QUALITY_LEAD: {Role.QUALITY_LEAD, Role.CASEWORKER},
    Role.EDITOR: {Role.EDITOR, Role.CASEWORKER},
    Role.CASEWORKER: {Role.CASEWORKER},
}
REVIEWERS = (Role.QUALITY_LEAD, Role.EDITOR, Role.ADMIN)


@dataclass(frozen=True)
class Principal:
    user_id: str
    roles: frozenset[Role]
    name: str = ""
    via: str = "dev"  # dev | oidc | proxy | token

    def has(self, *roles: Role) -> bool:
        granted = set().union(*(INCLUDES[r] for r in self.roles)) if self.roles else set()
        return any(role in granted for role in roles)

    @property
    def role(self) -> Role:
        for role in (Role.ADMIN, Role.QUALITY_LEAD, Role.EDITOR, Role.CASEWORKER):
            if role in self.roles:
                return role
        return Role.CASEWORKER


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(database: Database, name: str, role: Role) -> str:
    """Create a token for a bot or integration; the plain token is shown once and only its hash kept."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with database.session() as session:
        session.add(ApiToken(name=name, token_hash=hash_token(token), role=role.value))
    return token


def revoke_api_tokens(database: Database, name: str) -> int:
    """Revoke every live token with this name; returns how many."""
    with database.session() as session:
        rows = session.scalars(select(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None))).all()
        for row in rows:
            row.revoked_at = utcnow()
        return len(rows)


class Authenticator:
    def __init__(self, settings: Settings, database: Database | None):
        self.settings = settings
        self.database = database
        self._jwks: jwt.PyJWKClient | None = None
        self._local_keys: dict[str, Any] | None = None

    def authenticate(self, request: Request) -> Principal:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            token = header[7:].strip()
            if token.startswith(TOKEN_PREFIX):
                return self._api_token(token)
            if self.settings.auth_mode == "oidc":
                return self._oidc(token)
            raise AssistantError(ErrorCode.UNAUTHENTICATED, "bearer token not accepted in this sign-in mode")
        mode = self.settings.auth_mode
        if mode == "dev":
            if not self.settings.host_is_loopback():
                raise AssistantError(ErrorCode.UNAUTHENTICATED, "dev sign-in only works on a loopback address")
            # A reverse proxy on the same host reaches the loopback listener too, and would make every
            # visitor the dev role: dev sign-in is for a person at this machine only.
            forwarded = [h for h in PROXY_HEADERS if h in request.headers]
            if forwarded:
                raise AssistantError(
                    ErrorCode.UNAUTHENTICATED,
                    f"dev sign-in refuses requests that came through a proxy ({', '.join(forwarded)}); "
                    "use ASSISTANT_AUTH_MODE=proxy or oidc behind a proxy",
                )
            return Principal("dev-user", frozenset({Role(self.settings.dev_role)}), "Utvecklare", "dev")
        if mode == "proxy":
            return self._proxy(request)
        raise AssistantError(ErrorCode.UNAUTHENTICATED, "sign in required")

    def _api_token(self, token: str) -> Principal:
        if self.database is None:
            raise AssistantError(ErrorCode.UNAUTHENTICATED, "API tokens need the database")
        with self.database.session() as session:
            row = session.scalars(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).first()
            if row is None or row.revoked_at is not None:
                raise AssistantError(ErrorCode.UNAUTHENTICATED, "unknown or revoked API token")
            return Principal(f"token:{row.name}", frozenset({Role(row.role)}), row.name, "token")

    def _oidc(self, token: str) -> Principal:
        s = self.settings
        try:
            key = self._signing_key(token)
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256", "RS384", "RS512", "ES256", "PS256"],
                audience=s.oidc_audience,
                issuer=s.oidc_issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except (jwt.PyJWTError, KeyError, ValueError) as err:
            raise AssistantError(ErrorCode.UNAUTHENTICATED, f"invalid token: {err}") from None
        return Principal(
            user_id=str(claims.get("oid") or claims["sub"]),
            roles=self._map_roles(claims.get(s.oidc_role_claim) or []),
            name=str(claims.get("name") or claims.get("preferred_username") or ""),
            via="oidc",
        )

    def _signing_key(self, token: str) -> Any:
        s = self.settings
        if s.oidc_jwks_file:
            if self._local_keys is None:
                keys = json.loads(s.oidc_jwks_file.read_text())["keys"]
                self._local_keys = {k.get("kid", ""): jwt.PyJWK(k).key for k in keys}
            kid = jwt.get_unverified_header(token).get("kid", "")
            return self._local_keys[kid]
        if not s.oidc_jwks_url:
            raise ValueError("ASSISTANT_OIDC_JWKS_URL or ASSISTANT_OIDC_JWKS_FILE must be set")
        if self._jwks is None:
            self._jwks = jwt.PyJWKClient(s.oidc_jwks_url, cache_keys=True)
        return self._jwks.get_signing_key_from_jwt(token).key

    def _proxy(self, request: Request) -> Principal:
        s = self.settings
        client = request.client.host if request.client else ""
        if client not in s.proxy_trusted_ips:
            raise AssistantError(ErrorCode.UNAUTHENTICATED, "request did not come through the trusted proxy")
        user = request.headers.get(s.proxy_user_header)
        if not user:
            raise AssistantError(ErrorCode.UNAUTHENTICATED, "sign in required")
        roles = [r.strip() for r in request.headers.get(s.proxy_roles_header, "").split(",") if r.strip()]
        return Principal(user, self._map_roles(roles), user, "proxy")

    def _map_roles(self, names: Any) -> frozenset[Role]:
        """The assistant roles for the identity provider's role names. A claim that is neither a string nor a
        list of strings (a number, an object) is malformed: no role at all, so every route answers 403."""
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            return frozenset()
        roles = set()
        for name in names:
            mapped = str(self.settings.role_map.get(name, name))
            if mapped in Role._value2member_map_:
                roles.add(Role(mapped))
        return frozenset(roles or {Role.CASEWORKER})


def require(*roles: Role) -> Callable[[Request], Principal]:
    """FastAPI dependency: the signed-in principal, if they hold one of the roles (or a role including it)."""

    def dependency(request: Request) -> Principal:
        principal: Principal = request.app.state.auth.authenticate(request)
        if roles and not principal.has(*roles):
            held = ", ".join(sorted(r.value for r in principal.roles)) or "no role"
            contact = request.app.state.settings.access_contact or Phrase("error.access_contact_default")
            raise AssistantError(
                ErrorCode.FORBIDDEN,
                f"needs role {' or '.join(r.value for r in roles)} (signed in with {held})",
                key="error.needs_role",
                params={"roles": tuple(Phrase(f"role.{r.value}") for r in roles), "contact": contact},
            )
        request.state.principal = principal
        return principal

    return dependency
