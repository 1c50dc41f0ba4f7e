"""Build a Debian package of the frozen bundle with dpkg-deb (no debhelper needed).

    python packaging/build_deb.py [--bundle dist/peakgui] [--out dist]

Layout of the package:

    /opt/peakgui/                          the PyInstaller one-folder bundle, as built
    /usr/bin/peakgui, /usr/bin/peakgui-batch   symlinks into /opt/peakgui
    /usr/share/applications/peakgui.desktop     the desktop entry (resources/peakgui.desktop)
    /usr/share/icons/hicolor/NxN/apps/peakgui.png, .../scalable/apps/peakgui.svg
    /usr/share/doc/peakgui/copyright

``Depends`` is worked out the way dpkg-shlibdeps would: every shared library a bundled ELF file
needs and the bundle does not carry (libGL, libEGL, libc...) is looked up with ``ldconfig -p``
and ``dpkg -S``; libc6 gets the highest GLIBC symbol version the bundle uses. The result is
printed; --depends overrides it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import buildinfo  # noqa: E402

PACKAGE = "peakgui"
PREFIX = Path("opt/peakgui")
PROGRAMS = ("peakgui", "peakgui-batch")
ICON_SIZES = (16, 32, 48, 64, 128, 256)
MAINTAINER = "PeakGUI developers <peakgui@localhost>"
DESCRIPTION = """\
Per-pixel spectral peak finding for USID HDF5 spectroscopy maps
 PeakGUI finds the spectral peak at every pixel of a scanning-probe spectroscopy map
 (for example Band Excitation PFM) stored as a USID HDF5 file, and writes amplitude,
 peak-frequency and peak-count maps back beside the data with full provenance.
 .
 This package holds a self-contained build (Python, Qt, numpy, scipy) under
 /opt/peakgui: the desktop application `peakgui` and the batch program `peakgui-batch`."""

POSTINST = """\
#!/bin/sh
set -e
if [ "$1" = "configure" ]; then
    if command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -t -f /usr/share/icons/hicolor || true
    fi
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q /usr/share/applications || true
    fi
fi
exit 0
"""

POSTRM = """\
#!/bin/sh
set -e
case "$1" in
    remove|purge)
        # anything a program run as root left inside the install folder (dpkg only removes
        # the files it installed)
        rm -rf /opt/peakgui
        if command -v gtk-update-icon-cache >/dev/null 2>&1; then
            gtk-update-icon-cache -q -t -f /usr/share/icons/hicolor || true
        fi
        if command -v update-desktop-database >/dev/null 2>&1; then
            update-desktop-database -q /usr/share/applications || true
        fi
        ;;
esac
exit 0
"""

COPYRIGHT = """\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: PeakGUI

Files: *
Copyright: PeakGUI developers
License: MIT

Files: opt/peakgui/_internal/*
Comment: Third-party components bundled by PyInstaller (Python, Qt 5 / PyQt5, numpy, scipy,
 h5py / HDF5, pyqtgraph, joblib, psutil), each under its own licence; the
 licence files shipped with them are in their *.dist-info folders where the wheels had them.
"""


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw)


def is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def elf_needs(path: Path) -> tuple[set[str], set[tuple[int, ...]]]:
    """(NEEDED sonames, GLIBC_x.y versions it requires) from objdump -p."""
    out = run(["objdump", "-p", str(path)]).stdout
    needed = set(re.findall(r"^\s+NEEDED\s+(\S+)", out, re.M))
    glibc = {tuple(int(x) for x in v.split(".")) for v in re.findall(r"\bGLIBC_(\d+(?:\.\d+)+)\b", out)}
    return needed, glibc


def system_library_packages(missing: set[str]) -> tuple[set[str], set[str]]:
    """Debian packages holding these sonames on this machine, and the sonames not found."""
    cache = run(["ldconfig", "-p"]).stdout
    arch = run(["dpkg", "--print-architecture"]).stdout.strip()
    machine = {"amd64": "x86-64", "arm64": "AArch64", "i386": "libc6,"}.get(arch, "")
    paths, unresolved = {}, set()
    for soname in sorted(missing):
        hits = re.findall(rf"^\s+{re.escape(soname)} \(([^)]*)\) => (\S+)", cache, re.M)
        hits = [p for flags, p in hits if machine in flags] or [p for _, p in hits]
        if hits:
            paths[soname] = hits[0]
        else:
            unresolved.add(soname)
    packages = set()
    for soname, path in paths.items():
        real = os.path.realpath(path)
        for candidate in (path, real, real.replace("/usr/lib/", "/lib/"),
                          real.replace("/lib/", "/usr/lib/", 1)):
            res = subprocess.run(["dpkg", "-S", candidate], text=True, capture_output=True)
            if res.returncode == 0:
                packages.add(res.stdout.split(":", 1)[0].split(",")[0].strip())
                break
        else:
            unresolved.add(soname)
    return packages, unresolved


def compute_depends(bundle: Path) -> tuple[str, set[str]]:
    bundled = {p.name for p in bundle.rglob("*") if p.is_file() or p.is_symlink()}
    needed, glibc = set(), set()
    for path in bundle.rglob("*"):
        if path.is_file() and not path.is_symlink() and is_elf(path):
            n, g = elf_needs(path)
            needed |= n
            glibc |= g
    missing = {n for n in needed if n not in bundled}
    packages, unresolved = system_library_packages(missing)
    packages.discard("libc6")
    libc = "libc6"
    if glibc:
        libc += f" (>= {'.'.join(map(str, max(glibc)))})"
    return ", ".join([libc, *sorted(packages)]), unresolved


def installed_size_kib(root: Path) -> int:
    return sum(-(-p.lstat().st_size // 1024) for p in root.rglob("*") if not p.is_dir()) + 4


def stage(bundle: Path, staging: Path) -> None:
    if staging.exists():
        shutil.rmtree(staging)
    dest = staging / PREFIX
    shutil.copytree(bundle, dest, symlinks=True)
    usr_bin = staging / "usr" / "bin"
    usr_bin.mkdir(parents=True)
    for program in PROGRAMS:
        if not (dest / program).is_file():
            raise SystemExit(f"build_deb: {bundle / program} is missing; run `make dist` first")
        # the bootloader finds _internal/ from /proc/self/exe, so a symlink is enough
        (usr_bin / program).symlink_to(Path("/") / PREFIX / program)
    share = staging / "usr" / "share"
    (share / "applications").mkdir(parents=True)
    shutil.copy2(ROOT / "resources" / "peakgui.desktop", share / "applications" / "peakgui.desktop")
    for size in ICON_SIZES:
        png = ROOT / "peakgui" / "resources" / f"peakgui-{size}.png"
        if png.is_file():
            d = share / "icons" / "hicolor" / f"{size}x{size}" / "apps"
            d.mkdir(parents=True)
            shutil.copy2(png, d / "peakgui.png")
    svg = ROOT / "resources" / "peakgui.svg"
    if svg.is_file():
        d = share / "icons" / "hicolor" / "scalable" / "apps"
        d.mkdir(parents=True)
        shutil.copy2(svg, d / "peakgui.svg")
    doc = share / "doc" / PACKAGE
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(COPYRIGHT)
    # dpkg wants sane modes: no group/other write anywhere
    for p in [staging, *staging.rglob("*")]:
        if not p.is_symlink():
            p.chmod(p.stat().st_mode & ~0o022)


def write_control(staging: Path, version: str, depends: str) -> None:
    debian = staging / "DEBIAN"
    debian.mkdir()
    arch = run(["dpkg", "--print-architecture"]).stdout.strip()
    control = (
        f"Package: {PACKAGE}\n"
        f"Version: {version}\n"
        f"Architecture: {arch}\n"
        f"Maintainer: {MAINTAINER}\n"
        f"Installed-Size: {installed_size_kib(staging)}\n"
        f"Depends: {depends}\n"
        "Section: science\n"
        "Priority: optional\n"
        f"Description: {DESCRIPTION}\n"
    )
    (debian / "control").write_text(control)
    for name, text in (("postinst", POSTINST), ("postrm", POSTRM)):
        (debian / name).write_text(text)
        (debian / name).chmod(0o755)


def debian_version(version: str) -> str:
    """PEP 440 -> Debian ordering: 1.0rc1 -> 1.0~rc1 (sorts before 1.0)."""
    return re.sub(r"(\d)(a|b|rc|dev)", r"\1~\2", version.replace(".dev", "~dev"))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Build the PeakGUI .deb from the frozen bundle.")
    p.add_argument("--bundle", type=Path, default=ROOT / "dist" / "peakgui")
    p.add_argument("--out", type=Path, default=ROOT / "dist")
    p.add_argument("--work", type=Path, default=ROOT / "build" / "deb")
    p.add_argument("--depends", help="override the computed Depends field")
    p.add_argument("--compression", default="zstd", choices=("zstd", "xz", "gzip", "none"),
                   help="dpkg-deb compressor (default zstd: xz takes minutes on this ~400 MB "
                   "bundle for ~10%% less; every dpkg able to run the bundle's glibc reads zstd)")
    p.add_argument("--level", type=int, default=None, help="compression level")
    args = p.parse_args(argv)

    for tool in ("dpkg-deb", "objdump", "ldconfig"):
        if not shutil.which(tool):
            print(f"build_deb: `{tool}` not found (Debian packages dpkg, binutils, libc-bin)",
                  file=sys.stderr)
            return 1
    bundle = args.bundle.resolve()
    info = buildinfo.read(bundle)
    version = debian_version(info["version"])
    arch = run(["dpkg", "--print-architecture"]).stdout.strip()
    staging = args.work / f"{PACKAGE}_{version}_{arch}"
    stage(bundle, staging)
    if args.depends is not None:
        depends, unresolved = args.depends, set()
    else:
        depends, unresolved = compute_depends(staging / PREFIX)
    print(f"build_deb: Depends: {depends}", file=sys.stderr)
    if unresolved:
        print("build_deb: not bundled and not found on this machine (optional plugins only "
              f"load them if present): {', '.join(sorted(unresolved))}", file=sys.stderr)
    write_control(staging, version, depends)
    args.out.mkdir(parents=True, exist_ok=True)
    deb = args.out / f"{PACKAGE}_{version}_{arch}.deb"
    cmd = ["dpkg-deb", "--root-owner-group", f"-Z{args.compression}"]
    if args.level is not None:
        cmd.append(f"-z{args.level}")
    run([*cmd, "--build", str(staging), str(deb)])
    shutil.rmtree(staging)
    print(f"build_deb: wrote {deb} ({deb.stat().st_size / 2**20:.1f} MiB)", file=sys.stderr)
    print(deb)
    return 0


if __name__ == "__main__":
    sys.exit(main())
