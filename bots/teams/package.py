"""Build the Teams app package an admin uploads: manifest.json with this bot's ids filled in, plus the two icons.

    python -m bots.teams.package --out var/teams-app.zip --website https://vagledning.myndighet.se

The app id comes from ASSISTANT_TEAMS_APP_ID; the website from --website or ASSISTANT_PUBLIC_BASE_URL. `make
teams-package` runs this. The committed appPackage/manifest.json keeps ${{…}} placeholders, so no id is in code.
"""

from __future__ import annotations

import json
import re
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from assistant.settings import get_settings
from bots.teams.icons import APP_PACKAGE, png_size

ICONS = {"color.png": (192, 192), "outline.png": (32, 32)}
PLACEHOLDER = re.compile(r"\$\{\{(\w+)\}\}")


@dataclass(frozen=True)
class PackageInfo:
    app_id: str
    website: str
    developer: str = "Vägledningsassistenten"
    privacy_url: str | None = None
    terms_url: str | None = None


def build_manifest(info: PackageInfo, template: Path = APP_PACKAGE / "manifest.json") -> dict[str, Any]:
    """The manifest with every placeholder filled; ValueError names what is missing or wrong."""
    try:
        app_id = str(uuid.UUID(info.app_id))
    except ValueError:
        raise ValueError(f"the Teams app id must be the Entra app (client) id, a GUID; got {info.app_id!r}") from None
    if urlsplit(info.website).scheme != "https" or not urlsplit(info.website).hostname:
        raise ValueError(f"the website must be an https:// address; got {info.website!r}")
    website = info.website.rstrip("/")
    values = {
        "BOT_ID": app_id,
        "DEVELOPER_NAME": info.developer,
        "WEBSITE_URL": website,
        "PRIVACY_URL": info.privacy_url or website,
        "TERMS_URL": info.terms_url or website,
        "WEBSITE_DOMAIN": urlsplit(website).hostname or "",
    }

    def fill(match: re.Match[str]) -> str:
        return json.dumps(values[match.group(1)])[1:-1]  # JSON-escaped, inside the template's quotes

    manifest: dict[str, Any] = json.loads(PLACEHOLDER.sub(fill, template.read_text(encoding="utf-8")))
    return manifest


def build_package(info: PackageInfo, out: Path, folder: Path = APP_PACKAGE) -> Path:
    """Write the zip Teams accepts: manifest.json, color.png and outline.png at its root."""
    manifest = build_manifest(info, folder / "manifest.json")
    for name, size in ICONS.items():
        if png_size((folder / name).read_bytes()) != size:
            raise ValueError(f"{name} must be {size[0]}x{size[1]} pixels; run python -m bots.teams.icons")
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        for name in ICONS:
            archive.write(folder / name, name)
    return out


@click.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("var/teams-app.zip"))
@click.option("--website", help="https address of the service (default: ASSISTANT_PUBLIC_BASE_URL)")
@click.option("--developer", default="Vägledningsassistenten", help="the agency's name, shown in Teams")
@click.option("--privacy-url", help="the agency's privacy notice (default: the website)")
@click.option("--terms-url", help="terms of use (default: the website)")
def main(out: Path, website: str | None, developer: str, privacy_url: str | None, terms_url: str | None) -> None:
    """Build the Teams app package from ASSISTANT_TEAMS_APP_ID and the service's https address."""
    settings = get_settings()
    if not settings.teams_app_id:
        raise click.ClickException("set ASSISTANT_TEAMS_APP_ID to the bot's Entra app (client) id first")
    website = website or settings.public_base_url
    if not website:
        raise click.ClickException("pass --website https://… or set ASSISTANT_PUBLIC_BASE_URL")
    try:
        path = build_package(PackageInfo(settings.teams_app_id, website, developer, privacy_url, terms_url), out)
    except ValueError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"Teams app package: {path}")


if __name__ == "__main__":
    main()
