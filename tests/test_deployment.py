"""The reference deployment (deploy/): Debian's nginx in front of two replicas of `assistant serve` (one of
them with two workers) on loopback, sharing one published index and one real PostgreSQL. Users sign in at
nginx, which sets the proxy sign-in headers; a new index version published mid-traffic reaches every
worker without one failed request.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from evals.load import free_port, stop_process_group
from evals.postgres import create_database
from ingest.embedding import load_embedder
from ingest.pipeline import run_ingest
from ingest.publish import IndexStore

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parent.parent
NGINX = Path("/usr/sbin/nginx")
USERS = {"anna@nrv.example.se": "hemligt-1", "kvalitet@nrv.example.se": "hemligt-2"}


def htpasswd(users: dict[str, str]) -> str:
    """nginx's {SSHA} scheme: base64(sha1(password + salt) + salt)."""
    lines = []
    for user, password in users.items():
        salt = os.urandom(8)
        digest = hashlib.sha1(password.encode() + salt).digest()
        lines.append(f"{user}:{{SSHA}}{base64.b64encode(digest + salt).decode()}")
    return "\n".join(lines) + "\n"


def nginx_config(folder: Path, listen: int, upstreams: list[int]) -> Path:
    """deploy/nginx/vagledning.conf as shipped, with this test's ports and file locations."""
    site = (ROOT / "deploy" / "nginx" / "vagledning.conf").read_text()
    servers = "".join(f"    server 127.0.0.1:{port} max_fails=0;\n" for port in upstreams)
    site = site.replace("    server 127.0.0.1:8001 max_fails=0;\n    server 127.0.0.1:8002 max_fails=0;\n", servers)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{listen};")
    site = site.replace("/etc/nginx/vagledning.htpasswd", str(folder / "vagledning.htpasswd"))
    site = site.replace("/etc/nginx/vagledning-roles.map", str(folder / "vagledning-roles.map"))
    assert str(listen) in site and str(upstreams[-1]) in site
    (folder / "vagledning.htpasswd").write_text(htpasswd(USERS))
    shutil.copy(ROOT / "deploy" / "nginx" / "vagledning-roles.map", folder / "vagledning-roles.map")
    (folder / "site.conf").write_text(site)
    main = [
        "user root;" if os.geteuid() == 0 else "",  # the workers must read the files in this test's folder
        "daemon off;",
        "worker_processes 1;",
        f"pid {folder}/nginx.pid;",
        f"error_log {folder}/error.log;",
        "events { worker_connections 256; }",
        "http {",
        "    access_log off;",
        *(f"    {kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")),
        f"    include {folder}/site.conf;",
        "}",
    ]
    (folder / "nginx.conf").write_text("\n".join(main) + "\n")
    return folder / "nginx.conf"


def wait_until(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{process.args} exited with {process.returncode}"
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} not ready after {timeout} s")


@pytest.fixture
def deployment(
    postgres_server: str, knowledge_dir: Path, index_dir: Path, published: IndexStore
) -> Iterator[tuple[str, str]]:
    """(nginx URL, database URL) with two replicas behind nginx; everything stopped afterwards."""
    if not NGINX.exists():
        pytest.fail("nginx not installed: run 'make system-deps' (Debian package nginx)")
    database_url = create_database(postgres_server)
    folder = Path(tempfile.mkdtemp(prefix="assistant-nginx-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env |= {
        "ASSISTANT_ENVIRONMENT": "production",
        "ASSISTANT_AUTH_MODE": "proxy",
        "ASSISTANT_PROXY_TRUSTED_IPS": '["127.0.0.1"]',
        "ASSISTANT_DATABASE_URL": database_url,
        "ASSISTANT_INDEX_DIR": str(index_dir),
        "ASSISTANT_KNOWLEDGE_DIR": str(knowledge_dir),
        "ASSISTANT_EMBEDDING_MODEL": "hash-demo",
        "ASSISTANT_ANSWER_THRESHOLD": "0.02",
        "ASSISTANT_INDEX_CHECK_SECONDS": "0.3",
    }
    assistant = str(Path(sys.executable).parent / "assistant")
    ports = [free_port(), free_port()]
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for port, workers in zip(ports, (2, 1), strict=True):  # replica 1 runs two workers on its port
            command = [assistant, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
            log = (folder / f"replica-{port}.log").open("wb")
            processes.append(subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True))
        for port, process in zip(ports, processes, strict=True):
            wait_until(f"http://127.0.0.1:{port}/readyz", process)
        listen = free_port()
        config = nginx_config(folder, listen, ports)
        nginx = subprocess.Popen([str(NGINX), "-c", str(config), "-p", str(folder)], start_new_session=True)
        processes.append(nginx)
        wait_until(f"http://127.0.0.1:{listen}/healthz", nginx)
        yield f"http://127.0.0.1:{listen}", database_url
    finally:
        for process in processes:
            stop_process_group(process)
        shutil.rmtree(folder, ignore_errors=True)


def test_nginx_signs_in_and_sets_the_proxy_headers(deployment: tuple[str, str]) -> None:
    url, database_url = deployment
    question = {"question": "Vem prövar jäv?"}
    assert httpx.post(f"{url}/api/ask", json=question).status_code == 401  # nginx asks for sign-in
    forged = {"X-Forwarded-User": "mallory", "X-Forwarded-Roles": "admin"}
    auth = ("anna@nrv.example.se", USERS["anna@nrv.example.se"])
    answer = httpx.post(f"{url}/api/ask", json=question, auth=auth, headers=forged, timeout=30)
    assert answer.status_code == 200 and answer.json()["citations"]
    assert httpx.get(f"{url}/review", auth=auth, headers=forged).status_code == 403  # still a caseworker
    lead = ("kvalitet@nrv.example.se", USERS["kvalitet@nrv.example.se"])
    assert httpx.get(f"{url}/review", auth=lead).status_code == 200  # roles from the nginx map
    with create_engine(database_url.replace("+psycopg", "+psycopg")).connect() as connection:
        users = connection.execute(text("SELECT user_id FROM exchanges")).scalars().all()
    assert users == ["anna@nrv.example.se"]


def test_new_index_version_rolls_out_to_every_replica_without_a_failed_request(
    deployment: tuple[str, str], knowledge_dir: Path, index_dir: Path
) -> None:
    url, _database_url = deployment
    auth = ("anna@nrv.example.se", USERS["anna@nrv.example.se"])
    old = IndexStore(index_dir).current_version()
    versions: list[str] = []
    failures: list[str] = []
    stop = threading.Event()

    def ask_again_and_again() -> None:
        with httpx.Client(base_url=url, auth=auth, timeout=30) as client:
            while not stop.is_set():
                try:
                    response = client.post("/api/ask", json={"question": "Vem ska jag anmäla jäv till?"})
                    if response.status_code == 200:
                        versions.append(response.json()["index_version"])
                    else:
                        failures.append(f"{response.status_code} {response.text[:200]}")
                except httpx.HTTPError as err:
                    failures.append(repr(err))

    clients = [threading.Thread(target=ask_again_and_again) for _ in range(4)]
    for client in clients:
        client.start()
    try:
        deadline = time.monotonic() + 30
        while len(versions) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        page = knowledge_dir / "jav.md"
        page.write_text(page.read_text().replace("Anmäl jäv till din chef", "Anmäl jäv till enhetschefen"))
        new = run_ingest(knowledge_dir, IndexStore(index_dir), load_embedder("hash-demo")).version
        published_at = len(versions)
        # Every worker has switched when a long run of answers (spread over all three) is on the new version.
        while time.monotonic() < deadline and (len(versions) < published_at + 60 or set(versions[-40:]) != {new}):
            time.sleep(0.05)
    finally:
        stop.set()
        for client in clients:
            client.join()
    assert failures == []
    assert old in versions[:published_at] and set(versions[-40:]) == {new}
