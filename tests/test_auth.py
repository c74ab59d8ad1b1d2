"""Sign-in and roles through the real app: OIDC tokens signed with locally generated keys, the trusted
proxy header, scoped API tokens and the loopback-only dev mode. 401 unauthenticated, 403 wrong role."""

from __future__ import annotations

import json
import time
from pathlib import Path

import jwt
import pytest
from conftest import make_client
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.auth import Role, create_api_token
from assistant.settings import Settings

ISSUER = "https://login.example.test/tenant/v2.0"
AUDIENCE = "api://vagledning"
# Routes anyone may reach: operations (no content), the API description, static files, and the channel
# endpoints that authenticate with their own protocol (Slack signatures, Bot Framework tokens).
PUBLIC = {
    "/healthz",
    "/readyz",
    "/metrics",
    "/openapi.json",
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
    "/slack/events",
    "/api/messages",
    "/widget/widget.js",
    "/widget/widget.css",
    "/widget/demo",
}


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def oidc_settings(settings: Settings, signing_key: rsa.RSAPrivateKey, tmp_path: Path) -> Settings:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(signing_key.public_key()))
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]}))
    return settings.model_copy(
        update={
            "auth_mode": "oidc",
            "oidc_issuer": ISSUER,
            "oidc_audience": AUDIENCE,
            "oidc_jwks_file": jwks,
            "role_map": {"Vagledning.Kvalitet": "quality_lead"},
        }
    )


def token(key: rsa.RSAPrivateKey, **claims: object) -> str:
    now = int(time.time())
    body = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "u1",
        "oid": "user-1",
        "name": "Kim",
        "iat": now,
        "exp": now + 600,
        "roles": ["caseworker"],
        **claims,
    }
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": "k1"})


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def test_oidc_valid_token_may_ask(oidc_settings: Settings, published: object, signing_key: rsa.RSAPrivateKey) -> None:
    client = TestClient(create_app(oidc_settings))
    response = client.post("/api/ask", json={"question": "Vem prövar jäv?"}, headers=bearer(token(signing_key)))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "claims",
    [{"aud": "api://other"}, {"iss": "https://evil.example"}, {"exp": 1}],
    ids=["wrong-audience", "wrong-issuer", "expired"],
)
def test_oidc_bad_token_is_401(
    oidc_settings: Settings, published: object, signing_key: rsa.RSAPrivateKey, claims: dict[str, object]
) -> None:
    client = TestClient(create_app(oidc_settings))
    response = client.post("/api/ask", json={"question": "jäv"}, headers=bearer(token(signing_key, **claims)))
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthenticated"


def test_oidc_token_signed_by_another_key_is_401(oidc_settings: Settings, published: object) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    client = TestClient(create_app(oidc_settings))
    assert client.post("/api/ask", json={"question": "jäv"}, headers=bearer(token(stranger))).status_code == 401


def test_oidc_role_map_grants_quality_lead(
    oidc_settings: Settings, published: object, signing_key: rsa.RSAPrivateKey
) -> None:
    client = TestClient(create_app(oidc_settings))
    caseworker = bearer(token(signing_key))
    lead = bearer(token(signing_key, roles=["Vagledning.Kvalitet"]))
    assert client.get("/api/review/items", headers=caseworker).status_code == 403
    assert client.get("/api/review/items", headers=lead).status_code == 200


def test_every_route_requires_sign_in(oidc_settings: Settings, published: object) -> None:
    """A convention test: a new route that forgets its role check fails here."""
    app = create_app(oidc_settings)
    client = TestClient(app)
    checked = 0
    for route, prefix in all_routes(app.routes):
        full = prefix + route.path
        if full in PUBLIC:
            continue
        path = full.replace("{", "").replace("}", "")  # any value will do: auth runs first
        for method in route.methods - {"HEAD", "OPTIONS"}:
            response = client.request(method, path, json={})
            assert response.status_code == 401, f"{method} {full} answered {response.status_code}"
            checked += 1
    assert checked >= 6


def all_routes(routes: list, prefix: str = "") -> list[tuple[APIRoute, str]]:
    """Every APIRoute, also inside included routers (FastAPI wraps those as _IncludedRouter)."""
    found: list[tuple[APIRoute, str]] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append((route, prefix))
        elif hasattr(route, "original_router"):
            inner = route.original_router
            found.extend(all_routes(inner.routes, prefix))  # inner routes already carry the prefix
    return found


def test_proxy_header_from_trusted_address(settings: Settings, published: object) -> None:
    proxied = settings.model_copy(update={"auth_mode": "proxy", "proxy_trusted_ips": ["testclient"]})
    client = TestClient(create_app(proxied))
    assert client.get("/api/pages").status_code == 401
    headers = {"X-Forwarded-User": "kim@nrv.example.se", "X-Forwarded-Roles": "caseworker"}
    assert client.get("/api/pages", headers=headers).status_code == 200


def test_proxy_header_from_untrusted_address_is_ignored(settings: Settings, published: object) -> None:
    proxied = settings.model_copy(update={"auth_mode": "proxy", "proxy_trusted_ips": ["10.0.0.1"]})
    client = TestClient(create_app(proxied))
    assert client.get("/api/pages", headers={"X-Forwarded-User": "mallory"}).status_code == 401


def test_api_token_scoped_to_its_role(settings: Settings, published: object) -> None:
    app = create_app(settings.model_copy(update={"auth_mode": "oidc"}))
    client = TestClient(app)
    plain = create_api_token(app.state.assistant.database, "intranätet", Role.CASEWORKER)
    assert client.get("/api/pages", headers=bearer(plain)).status_code == 200
    assert client.get("/api/review/items", headers=bearer(plain)).status_code == 403
    assert client.get("/api/pages", headers=bearer(plain + "x")).status_code == 401
    lead = create_api_token(app.state.assistant.database, "rapportverktyg", Role.QUALITY_LEAD)
    assert client.get("/api/review/items", headers=bearer(lead)).status_code == 200


def test_dev_mode_refused_off_loopback(settings: Settings) -> None:
    with pytest.raises(RuntimeError, match="loopback"):
        create_app(settings.model_copy(update={"host": "0.0.0.0"}))


def test_oidc_mode_needs_issuer_audience_and_keys() -> None:
    with pytest.raises(ValueError, match="ASSISTANT_OIDC_ISSUER"):
        Settings(auth_mode="oidc", oidc_audience="api://x", oidc_jwks_url="https://k", _env_file=None)  # type: ignore[call-arg]


def test_production_refuses_dev_mode(settings: Settings) -> None:
    with pytest.raises(ValueError, match="not allowed"):
        create_app(settings.model_copy(update={"environment": "production"}))


def test_token_cli_creates_and_revokes(settings: Settings, published: object, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from assistant.cli import main

    monkeypatch.setenv("ASSISTANT_DATABASE_URL", settings.database_url)
    created = CliRunner().invoke(main, ["token", "create", "slack-bot", "--role", "caseworker"])
    assert created.exit_code == 0, created.output
    plain = created.output.strip()
    assert plain.startswith("vat_")
    client = TestClient(create_app(settings.model_copy(update={"auth_mode": "oidc"})))
    assert client.get("/api/pages", headers=bearer(plain)).status_code == 200
    revoked = CliRunner().invoke(main, ["token", "revoke", "slack-bot"])
    assert revoked.exit_code == 0 and "1 token(s) revoked" in revoked.output
    assert client.get("/api/pages", headers=bearer(plain)).status_code == 401


@pytest.mark.parametrize("claim", [7, {"role": "admin"}, [{"x": 1}], [3, "admin"]], ids=str)
def test_oidc_role_claim_of_the_wrong_type_is_no_role(
    oidc_settings: Settings, published: object, signing_key: rsa.RSAPrivateKey, claim: object
) -> None:
    """Measured: a signed token whose role claim was a number or an object gave 500."""
    with TestClient(create_app(oidc_settings)) as client:
        response = client.get("/api/pages", headers=bearer(token(signing_key, roles=claim)))
    assert response.status_code == 403, response.text
    assert "kräver rollen" in response.json()["error"]["message"]
    assert "signed in with" in response.json()["error"]["details"][0]  # the technical cause, for operators


@pytest.mark.parametrize(
    "header", [{"X-Forwarded-For": "203.0.113.9"}, {"Forwarded": "for=203.0.113.9"}, {"X-Real-IP": "203.0.113.9"}]
)
def test_dev_mode_refuses_requests_through_a_proxy(client: TestClient, header: dict[str, str]) -> None:
    """A reverse proxy on the same host would otherwise make every visitor the dev role."""
    response = client.get("/api/pages", headers=header)
    assert response.status_code == 401
    assert "proxy" in response.json()["error"]["details"][0]  # the technical cause; the message is for people
    assert client.get("/api/pages").status_code == 200


def test_environment_defaults_to_production_and_make_run_sets_development(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSISTANT_ENVIRONMENT", raising=False)
    assert Settings(_env_file=None).environment == "production"  # type: ignore[call-arg]
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "ASSISTANT_ENVIRONMENT=development" in run


def test_search_in_drafts_and_archive_needs_an_editor(settings: Settings, published: object) -> None:
    caseworker = make_client(settings)
    for status in ("draft", "archived"):
        refused = caseworker.get("/api/search", params={"q": "ansökan", "status": status})
        assert refused.status_code == 403, refused.text
    assert caseworker.get("/api/search", params={"q": "ansökan", "status": "published"}).status_code == 200
    editor = make_client(settings, dev_role="editor")
    assert editor.get("/api/search", params={"q": "ansökan", "status": "draft"}).status_code == 200
