"""The app icons, drawn in pure Python (no Pillow): `python -m fieldapp.offline.icons`.

A white house with a yellow sun on the app's green. The maskable icon keeps the drawing inside
the central safe circle (radius 40 %) and fills the whole square, as launchers crop it.
"""
from __future__ import annotations

import struct
import zlib
from pathlib import Path

GREEN = (0x14, 0x53, 0x2D)
WHITE = (0xFF, 0xFF, 0xFF)
SUN = (0xF5, 0xB7, 0x00)
CLEAR = None

ICONS_DIR = Path(__file__).resolve().parent.parent.parent / "static" / "icons"


def png_bytes(width: int, height: int, rows: list[bytes]) -> bytes:
    """An 8-bit RGBA PNG from raw rows of width*4 bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def _pixel(x: float, y: float, maskable: bool) -> tuple | None:
    """Colour at (x, y) in unit coordinates (0..1)."""
    # The drawing lives in a 0..1 box; maskable icons shrink it into the safe zone.
    scale, offset = (0.62, 0.19) if maskable else (0.8, 0.1)
    u, v = (x - offset) / scale, (y - offset) / scale
    if not maskable:
        # Rounded square background, transparent corners.
        r, cx, cy = 0.18, min(max(x, 0.18), 0.82), min(max(y, 0.18), 0.82)
        if (x - cx) ** 2 + (y - cy) ** 2 > r * r:
            return CLEAR
    if (u - 0.72) ** 2 + (v - 0.22) ** 2 < 0.11 ** 2:
        return SUN
    roof = 0.12 <= v <= 0.48 and abs(u - 0.45) <= (v - 0.12) * 1.1
    body = 0.46 <= v <= 0.88 and 0.2 <= u <= 0.7
    door = 0.64 <= v <= 0.88 and 0.39 <= u <= 0.51
    if (roof or body) and not door:
        return WHITE
    return GREEN


def draw(size: int, maskable: bool) -> bytes:
    samples = ((0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75))  # 4x supersampling
    rows = []
    for py in range(size):
        row = bytearray()
        for px in range(size):
            acc = [0, 0, 0, 0]
            for sx, sy in samples:
                colour = _pixel((px + sx) / size, (py + sy) / size, maskable)
                if colour is not None:
                    acc[0] += colour[0]; acc[1] += colour[1]; acc[2] += colour[2]; acc[3] += 255
            alpha = acc[3] // 4
            if alpha:
                hits = acc[3] // 255
                row += bytes((acc[0] // hits, acc[1] // hits, acc[2] // hits, alpha))
            else:
                row += b"\x00\x00\x00\x00"
        rows.append(bytes(row))
    return png_bytes(size, size, rows)


ICONS = {"icon-192.png": (192, False), "icon-512.png": (512, False), "maskable-512.png": (512, True)}


def write_icons(folder: Path = ICONS_DIR) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (size, maskable) in ICONS.items():
        path = folder / name
        path.write_bytes(draw(size, maskable))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_icons():
        print(path)
