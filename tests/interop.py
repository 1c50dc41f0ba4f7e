"""Running pyUSID and BGlib on PeakGUI's files, in their own environment.

They need numpy < 2 and bring numba along, so they live in ``.venv-interop`` (``make test``
builds it from ``packaging/interop-requirements.txt``), never in PeakGUI's environment. A test
hands a short script the paths it needs; the script prints one JSON object.
"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def interop_python() -> Path | None:
    """The interop environment's Python (PEAKGUI_INTEROP_PYTHON, else .venv-interop)."""
    given = os.environ.get("PEAKGUI_INTEROP_PYTHON")
    path = Path(given) if given else ROOT / ".venv-interop" / "bin" / "python"
    return path if path.exists() else None


def run_interop(code: str, **values) -> dict:
    """Run ``code`` (with ``values`` bound as globals) under the interop Python and return the
    JSON object it printed; skip the test when that environment is not built."""
    python = interop_python()
    if python is None:
        pytest.skip("no interop environment (make test builds .venv-interop with pyUSID/BGlib)")
    header = "".join(f"{k} = {v!r}\n" for k, v in values.items())
    script = "import json, warnings\nwarnings.simplefilter('ignore')\n" + header + \
        textwrap.dedent(code)
    proc = subprocess.run([str(python), "-c", script], capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])
