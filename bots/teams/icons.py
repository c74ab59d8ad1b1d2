"""The Teams app icons, drawn in code so they can be regenerated without an image editor or Pillow.

Teams wants a 192×192 colour icon and a 32×32 outline icon that is white on a transparent background.
Both show a speech bubble with three dots. Regenerate with `python -m bots.teams.icons`.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

APP_PACKAGE = Path(__file__).resolve().parent / "appPackage"
ACCENT = (0x1F, 0x4E, 0x79)  # the manifest's accentColor
WHITE = (0xFF, 0xFF, 0xFF)
Pixel = tuple[int, int, int, int]


def png_bytes(width: int, height: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """An 8-bit RGBA PNG, one filter byte (0 = none) per row."""
    rows = b"".join(b"\x00" + b"".join(struct.pack("4B", *pixel(x, y)) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def in_bubble(u: float, v: float) -> bool:
    """The speech bubble in unit coordinates (0..1 across the icon): a rounded box with a tail at lower left."""
    x0, y0, x1, y1, radius = 0.16, 0.2, 0.84, 0.68, 0.12
    dx = max(x0 + radius - u, 0.0, u - (x1 - radius))
    dy = max(y0 + radius - v, 0.0, v - (y1 - radius))
    if x0 <= u <= x1 and y0 <= v <= y1 and math.hypot(dx, dy) <= radius:
        return True
    return _in_triangle(u, v, (0.26, 0.66), (0.46, 0.66), (0.22, 0.84))


def in_dot(u: float, v: float) -> bool:
    return any(math.hypot(u - cx, v - 0.44) <= 0.055 for cx in (0.34, 0.5, 0.66))


def _in_triangle(u: float, v: float, a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> bool:
    def side(p: tuple[float, float], q: tuple[float, float]) -> float:
        return (u - q[0]) * (p[1] - q[1]) - (p[0] - q[0]) * (v - q[1])

    s1, s2, s3 = side(a, b), side(b, c), side(c, a)
    return not ((s1 < 0 or s2 < 0 or s3 < 0) and (s1 > 0 or s2 > 0 or s3 > 0))


def color_icon(size: int = 192) -> bytes:
    def pixel(x: int, y: int) -> Pixel:
        u, v = (x + 0.5) / size, (y + 0.5) / size
        if in_bubble(u, v):
            return (*(ACCENT if in_dot(u, v) else WHITE), 255)
        return (*ACCENT, 255)

    return png_bytes(size, size, pixel)


def outline_icon(size: int = 32, stroke: float = 2.0) -> bytes:
    """White where the bubble's edge or dots are, transparent elsewhere (Teams rejects any other colour)."""
    steps = [(math.cos(a * math.pi / 8) * stroke, math.sin(a * math.pi / 8) * stroke) for a in range(16)]

    def pixel(x: int, y: int) -> Pixel:
        cx, cy = x + 0.5, y + 0.5
        inside = in_bubble(cx / size, cy / size)
        edge = inside and any(not in_bubble((cx + dx) / size, (cy + dy) / size) for dx, dy in steps)
        return (*WHITE, 255) if edge or in_dot(cx / size, cy / size) else (*WHITE, 0)

    return png_bytes(size, size, pixel)


def write_icons(folder: Path = APP_PACKAGE) -> None:
    (folder / "color.png").write_bytes(color_icon())
    (folder / "outline.png").write_bytes(outline_icon())


if __name__ == "__main__":
    write_icons()
