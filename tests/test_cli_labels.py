"""peakgui-batch's messages name sidpy-labelled axes in plain text (issue 21), and a run leaves
the file's own attributes as written."""

from __future__ import annotations

import json
import re

from tests.test_cli import batch
from tests.tex_labels_file import attributes, write_tex_file

TEX = re.compile(r"\$|\\[A-Za-z]|\^\{")


def test_a_refused_run_names_the_axis_in_plain_text(tmp_path):
    path = write_tex_file(tmp_path / "short.h5", bins=4)  # too short for an SHO fit
    proc = batch(path, "--analysis", "sho", check=False)
    assert proc.returncode != 0
    assert "spectra along √E have only 4 point(s)" in proc.stderr
    assert not TEX.search(proc.stderr)


def test_a_run_reports_in_plain_text_and_leaves_the_labels_in_the_file(tmp_path):
    path = write_tex_file(tmp_path / "tex.h5")
    before = attributes(path)
    proc = batch(path, "--jobs", "1", "--json")
    summary = json.loads(proc.stdout.splitlines()[0])
    assert summary["computed"] == summary["positions"] == 80
    assert not TEX.search(proc.stderr) and not any(TEX.search(n) for n in summary["notes"])
    after = attributes(path)
    assert {k: after[k] for k in before} == before
