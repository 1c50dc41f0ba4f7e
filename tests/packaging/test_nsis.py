"""The Windows installer script compiles (makensis, warnings as errors) and keeps its promises:
per user, no admin rights, Start-menu shortcut, uninstaller, an untickable .h5 association in
HKCU. Compiled against a dummy payload: a Windows bundle cannot be built on Linux."""

from __future__ import annotations

import re
import shutil

from .helpers import PACKAGING, load_packaging_module, missing, record

SCRIPT = PACKAGING / "windows" / "peakgui.nsi"


def sections(text: str) -> dict[str, str]:
    """Section title -> its header line flags and body."""
    out = {}
    for m in re.finditer(r'^Section\s+(/o\s+)?"([^"]+)"[^\n]*\n(.*?)^SectionEnd', text,
                         re.M | re.S):
        out[m.group(2)] = (m.group(1) or "") + m.group(3)
    return out


def test_script_promises():
    text = SCRIPT.read_text()
    assert re.search(r"^RequestExecutionLevel user$", text, re.M)
    assert re.search(r'^InstallDir "\$LOCALAPPDATA\\Programs\\PeakGUI"$', text, re.M)
    assert "HKLM" not in text and "SetShellVarContext all" not in text
    found = sections(text)
    main = found["PeakGUI (required)"]
    assert "SectionIn RO" in main and "WriteUninstaller" in main
    assert '$SMPROGRAMS\\PeakGUI.lnk' in main
    assoc = found["Open .h5 files with PeakGUI"]
    assert "SectionIn RO" not in assoc  # the user can untick it
    assert re.search(r'WriteRegStr HKCU "Software\\Classes\\\.h5', assoc)
    uninstall = found["Uninstall"]
    for undo in ("$SMPROGRAMS\\PeakGUI.lnk", "${UNINSTKEY}", "Software\\Classes\\${PROGID}",
                 '"$INSTDIR\\uninstall.exe"'):
        assert undo in uninstall, undo
    assert 'RMDir /r "$INSTDIR"' not in uninstall  # never delete a folder we did not create


def test_compiles_against_a_dummy_payload(tmp_path):
    makensis = shutil.which("makensis")
    if not makensis:
        missing("makensis not found (Debian package `nsis`; `make test-frozen` installs it)")
    payload = tmp_path / "peakgui"
    (payload / "_internal").mkdir(parents=True)
    for name in ("peakgui.exe", "peakgui-batch.exe"):
        (payload / name).write_bytes(b"MZ" + b"\0" * 62)
    (payload / "_internal" / "build-info.json").write_text('{"version": "0.1.0"}')
    build_nsis = load_packaging_module("build_nsis")
    out = tmp_path / "out"
    assert build_nsis.main(["--bundle", str(payload), "--out", str(out), "--work",
                            str(tmp_path / "work")]) == 0
    setup = out / "PeakGUI-0.1.0-setup.exe"
    data = setup.read_bytes()
    assert data[:2] == b"MZ" and b"Nullsoft" in data
    record("nsis_dummy_installer_kib", round(len(data) / 1024))
