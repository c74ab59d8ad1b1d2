"""One typed settings object, read from ASSISTANT_* environment variables (or .env) once and passed in."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from ingest.embedding import Embedder

PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "xoxb-your-token"}


class Settings(BaseSettings):
    """Every setting the service reads. docs/operators.md and .env.example list each one (a test checks)."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = Field(
        "production",
        description="production (the default; `make run` sets development) refuses placeholder secrets and "
        "the dev sign-in mode when the server starts",
    )
    language: Literal["sv", "en"] = Field("sv", description="default interface language")

    # Knowledge and index
    knowledge_dir: Path = Field(Path("knowledge"), description="folder of guidance Markdown pages")
    index_dir: Path = Field(Path("var/index"), description="where published index versions are kept")
    index_check_seconds: float = Field(
        2.0, gt=0, description="how often each worker looks for a newly published index version (seconds)"
    )
    embedding_model: str = Field(
        "multilingual-e5-small",
        description="multilingual-e5-small (the packaged default, Swedish and English), all-MiniLM-L6-v2 "
        "(packaged, English only), the path of a local sentence-transformers model folder, or hash-demo (tests)",
    )
    embedding_query_prompt: str = Field(
        "", description="text put before each question for a sentence-transformers model (e5: 'query: ')"
    )
    embedding_passage_prompt: str = Field(
        "", description="text put before each guidance text for a sentence-transformers model (e5: 'passage: ')"
    )

    # Retrieval and answers (calibrated values stored with the index win over these defaults)
    fusion_weight: float | None = Field(None, ge=0, le=1, description="weight on lexical scores in hybrid search")
    answer_threshold: float | None = Field(None, ge=0, le=1, description="confidence below which it abstains")
    top_k: int = Field(5, ge=1, le=50, description="citations and suggestions shown at most")
    exclude_stale: bool = Field(
        False, description="leave pages past their review date out of answers (default: cite them with a warning)"
    )

    # Live re-indexing (assistant watch, or assistant serve with watch_knowledge)
    watch_knowledge: bool = Field(False, description="let 'assistant serve' re-index the knowledge folder live")
    watch_poll_seconds: float = Field(1.0, gt=0, description="how often the knowledge folder is checked for changes")
    watch_settle_seconds: float = Field(
        1.0, ge=0, description="how long the folder must be unchanged before a change is published"
    )

    # Review reminders (assistant digest)
    smtp_host: str | None = Field(None, description="SMTP server for review reminder e-mail; unset = no e-mail")
    smtp_port: int = Field(587, description="SMTP port (587 with STARTTLS, 25 on a trusted relay)")
    smtp_starttls: bool = Field(True, description="upgrade the SMTP connection with STARTTLS")
    smtp_username: str | None = Field(None, description="SMTP user name, if the server needs sign-in")
    smtp_password: SecretStr | None = Field(None, description="SMTP password")
    smtp_from: str = Field("vagledning@localhost", description="sender address of reminder e-mail")
    digest_subscriptions: dict[str, str] = Field(
        {},
        description="JSON map from an owner (unit or contact) to where their reminder digest goes: "
        "mailto:<address> or slack:<channel or user id>",
    )

    # Optional generative answers through an OpenAI-compatible chat endpoint
    llm_base_url: str | None = Field(None, description="e.g. http://127.0.0.1:11434/v1; unset = extractive only")
    llm_model: str = Field("gpt-4o-mini", description="model name sent to the endpoint")
    llm_api_key: SecretStr = Field(SecretStr(""), description="bearer token for the endpoint, if it needs one")
    llm_timeout_seconds: float = Field(20.0, gt=0, description="after this the extractive answer is used")

    # Storage
    database_url: str = Field(
        "sqlite:///var/assistant.db", description="SQLAlchemy URL: sqlite:///… or postgresql+psycopg://…"
    )

    # Web
    host: str = Field("127.0.0.1", description="address 'assistant serve' listens on")
    port: int = Field(8000, description="port 'assistant serve' listens on")
    workers: int = Field(
        1, ge=1, le=64, description="worker processes 'assistant serve' starts on the one port (about one per core)"
    )
    public_base_url: str | None = Field(
        None, description="where citations link to, if pages are published elsewhere (default: this server)"
    )

    # Sign-in
    auth_mode: Literal["dev", "oidc", "proxy"] = Field("dev", description="dev, oidc (JWT) or proxy (trusted header)")
    dev_role: Literal["caseworker", "editor", "quality_lead", "admin"] = Field(
        "caseworker", description="the role everyone has in dev mode"
    )
    oidc_issuer: str | None = Field(
        None, description="expected 'iss' of tokens, e.g. https://login.microsoftonline.com/<tenant>/v2.0"
    )
    oidc_audience: str | None = Field(None, description="expected 'aud' of tokens (the app's client id)")
    oidc_jwks_url: str | None = Field(None, description="URL of the issuer's signing keys (JWKS)")
    oidc_jwks_file: Path | None = Field(None, description="signing keys from a local JWKS file instead of a URL")
    oidc_role_claim: str = Field("roles", description="claim holding the user's roles")
    proxy_user_header: str = Field("X-Forwarded-User", description="header with the user id set by the proxy")
    proxy_roles_header: str = Field("X-Forwarded-Roles", description="header with comma-separated roles")
    proxy_trusted_ips: list[str] = Field(["127.0.0.1"], description="addresses allowed to set the proxy headers")
    role_map: dict[str, str] = Field({}, description="JSON map from identity-provider role names to assistant roles")
    access_contact: str = Field(
        "",
        description="whom to ask for a role, shown on the 'no access' page (e.g. 'IT-servicedesk, tfn 010-123 45 00'); "
        "empty = 'your manager or the system administrators'",
    )
    review_editor_units: dict[str, str] = Field(
        {},
        description="JSON map from an editor's user id to the owner unit whose pages they review "
        "(besides pages whose owner contact equals their user id)",
    )

    # Channels (a channel that is not configured is off)
    slack_bot_token: SecretStr | None = Field(None, description="Slack bot token (xoxb-…)")
    slack_signing_secret: SecretStr | None = Field(None, description="Slack signing secret for /slack/events")
    slack_app_token: SecretStr | None = Field(None, description="Slack app-level token (xapp-…) for Socket Mode")
    slack_api_url: str = Field("https://slack.com/api/", description="Slack Web API base URL (proxies, tests)")
    slack_command: str = Field("/fraga", description="slash command name")
    teams_app_id: str | None = Field(None, description="Microsoft Entra app (client) id of the Teams bot")
    teams_app_password: SecretStr | None = Field(None, description="client secret of the Teams bot")
    teams_tenant_id: str | None = Field(None, description="Entra tenant id of the Teams bot")
    teams_openid_url: str | None = Field(None, description="override of the Bot Framework OpenID metadata URL (tests)")
    teams_token_url: str | None = Field(
        None,
        description="override of the Entra token endpoint for the bot's outgoing replies (tests, national clouds); "
        "default https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token",
    )
    widget_origins: list[str] = Field(
        [],
        description="JSON list of intranet origins (https://host[:port]) allowed to use the web widget across "
        "origins with credentials (CORS on /api/ask and /api/answers/{id}/feedback only); empty = same origin only",
    )

    def refuse_unsafe_production(self) -> None:
        """Raise ValueError when a server would start in production with development shortcuts.

        Checked when the server starts (create_app), not when settings are read, so the commands that
        serve nobody (ingest, lint, eval, purge, export) work with the production default."""
        if self.environment == "production":
            if self.auth_mode == "dev":
                raise ValueError(
                    "ASSISTANT_AUTH_MODE=dev is not allowed when ASSISTANT_ENVIRONMENT=production (the default); "
                    "set ASSISTANT_AUTH_MODE=oidc or proxy, or ASSISTANT_ENVIRONMENT=development on your own machine"
                )
            channels = self.slack_bot_token is not None or self.teams_app_id is not None
            if channels and not self.public_base_url:
                raise ValueError("set ASSISTANT_PUBLIC_BASE_URL: Slack and Teams need absolute links to the pages")
            for name in ("slack_bot_token", "slack_signing_secret", "teams_app_password", "llm_api_key"):
                value = getattr(self, name)
                if value is not None and value.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS - {""}:
                    raise ValueError(f"ASSISTANT_{name.upper()} is a placeholder; set the real secret")

    @model_validator(mode="after")
    def _digest_targets_are_known(self) -> Settings:
        for owner, target in self.digest_subscriptions.items():
            if not target.startswith(("mailto:", "slack:")):
                raise ValueError(
                    f"ASSISTANT_DIGEST_SUBSCRIPTIONS: {owner!r} → {target!r}; use mailto:<address> or slack:<channel>"
                )
        return self

    @model_validator(mode="after")
    def _oidc_needs_issuer_audience_and_keys(self) -> Settings:
        # Without an issuer, any tenant's token for the same audience would be accepted.
        if self.auth_mode == "oidc":
            missing = [
                name
                for name, value in (
                    ("ASSISTANT_OIDC_ISSUER", self.oidc_issuer),
                    ("ASSISTANT_OIDC_AUDIENCE", self.oidc_audience),
                    ("ASSISTANT_OIDC_JWKS_URL or ASSISTANT_OIDC_JWKS_FILE", self.oidc_jwks_url or self.oidc_jwks_file),
                )
                if not value
            ]
            if missing:
                raise ValueError(f"ASSISTANT_AUTH_MODE=oidc needs {', '.join(missing)}")
        return self

    def embedder(self) -> Embedder:
        """The configured embedding model, loaded once per process."""
        from ingest.embedding import load_embedder

        return load_embedder(self.embedding_model, self.embedding_query_prompt, self.embedding_passage_prompt)

    def base_url(self) -> str:
        """Where citation links sent to other systems (Slack, Teams) point: the public base URL, or this server."""
        if self.public_base_url:
            return self.public_base_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{host}:{self.port}"

    def host_is_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, built once at the edge (CLI, server start) and passed in from there."""
    return Settings()
