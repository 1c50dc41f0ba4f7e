"""Build the Windows installer (NSIS) from the frozen bundle.

    python packaging/build_nsis.py [--bundle dist/peakgui] [--out dist] [--makensis PATH]

Runs on Windows with the bundle built there (see packaging/README.md), and on Linux with
Debian's ``nsis`` package, which is how the test suite keeps packaging/windows/peakgui.nsi valid
(against a dummy payload: a Windows bundle cannot be built on Linux). Warnings are errors.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCRIPT = HERE / "windows" / "peakgui.nsi"
sys.path.insert(0, str(HERE))
import buildinfo  # noqa: E402
import make_ico  # noqa: E402


def version4(version: str) -> str:
    """'0.1.0' -> '0.1.0.0'; '1.2rc1' -> '1.2.0.0' (Windows wants four numbers)."""
    release = re.match(r"\d+(?:\.\d+)*", version)
    numbers = [int(x) for x in release.group(0).split(".")] if release else []
    return ".".join(str(n) for n in (numbers + [0, 0, 0, 0])[:4])


def find_makensis(explicit: str | None) -> str | None:
    if explicit:
        return explicit
    found = shutil.which("makensis")
    if found:
        return found
    for candidate in (Path(r"C:\Program Files (x86)\NSIS\makensis.exe"),
                      Path(r"C:\Program Files\NSIS\makensis.exe")):
        if candidate.is_file():
            return str(candidate)
    return None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Build the PeakGUI Windows installer with NSIS.")
    p.add_argument("--bundle", type=Path, default=ROOT / "dist" / "peakgui")
    p.add_argument("--out", type=Path, default=ROOT / "dist")
    p.add_argument("--work", type=Path, default=ROOT / "build")
    p.add_argument("--version", help="default: the bundle's build-info.json")
    p.add_argument("--makensis", help="makensis executable (default: on PATH or Program Files)")
    args = p.parse_args(argv)

    makensis = find_makensis(args.makensis)
    if not makensis:
        print("build_nsis: makensis not found (Windows: install NSIS 3; Debian: apt-get install "
              "nsis)", file=sys.stderr)
        return 1
    bundle = args.bundle.resolve()
    version = args.version or buildinfo.read(bundle)["version"]
    icon = args.work.resolve() / "peakgui.ico"
    if make_ico.main([str(icon)]) != 0:
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    outfile = args.out.resolve() / f"PeakGUI-{version}-setup.exe"
    cmd = [makensis, "-V2", "-WX", "-NOCD", f"-DVERSION={version}",
           f"-DVERSION4={version4(version)}", f"-DPAYLOAD={bundle}", f"-DICON={icon}",
           f"-DOUTFILE={outfile}", str(SCRIPT)]
    res = subprocess.run(cmd, text=True, capture_output=True)
    if res.returncode != 0:
        print(res.stdout + res.stderr, file=sys.stderr)
        print(f"build_nsis: makensis failed ({res.returncode})", file=sys.stderr)
        return res.returncode
    print(f"build_nsis: wrote {outfile} ({outfile.stat().st_size / 2**20:.1f} MiB)",
          file=sys.stderr)
    print(outfile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
