"""Write a Windows .ico from the PNG icons in peakgui/resources (standard library only).

An .ico is a small directory followed by the images; since Windows Vista the images may be
PNG files as they are, which is what this writes. Used for the NSIS installer's icon
(PyInstaller converts the executables' icon itself).

    python packaging/make_ico.py build/peakgui.ico
"""

from __future__ import annotations

import argparse
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "peakgui" / "resources"
SIZES = (16, 32, 48, 64, 128, 256)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    if data[:8] != PNG_MAGIC or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    return struct.unpack(">II", data[16:24])


def make_ico(pngs: list[bytes]) -> bytes:
    header = struct.pack("<HHH", 0, 1, len(pngs))
    directory, images = b"", b""
    offset = 6 + 16 * len(pngs)
    for data in pngs:
        w, h = png_size(data)
        if w > 256 or h > 256:
            raise ValueError(f"icon images are at most 256 x 256, got {w} x {h}")
        directory += struct.pack("<BBBBHHII", w % 256, h % 256, 0, 0, 1, 32, len(data), offset)
        images += data
        offset += len(data)
    return header + directory + images


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path, help="the .ico file to write")
    p.add_argument("--icons", type=Path, default=ICONS,
                   help="folder with peakgui-<size>.png (default: peakgui/resources)")
    args = p.parse_args(argv)
    files = [args.icons / f"peakgui-{s}.png" for s in SIZES]
    files = [f for f in files if f.is_file()]
    if not files:
        print(f"make_ico: no peakgui-<size>.png in {args.icons}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(make_ico([f.read_bytes() for f in files]))
    print(f"make_ico: wrote {args.out} ({len(files)} sizes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
