"""Hypothesis writes USID files, valid or broken in one way, with every order and attribute
style; the reader either understands them or says why in one sentence.

No other exception may escape: a strange file must never crash the GUI or the CLI.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import h5py
import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from peakgui.core.errors import InputError
from peakgui.core.io.source import SpectralSource
from peakgui.core.io.usid_write import grid_indices

NAMES = ("Position_Indices", "Position_Values", "Spectroscopic_Indices", "Spectroscopic_Values")
BREAKAGES = ("none", "none", "none", "wrong_length", "negative", "duplicate", "drop_attr",
             "dangling", "text_data", "transposed", "empty", "short_labels", "path_refs",
             "float_indices", "one_point")


@st.composite
def usid_files(draw):
    pos_sizes = draw(st.lists(st.integers(1, 5), min_size=1, max_size=3))
    spec_sizes = draw(st.lists(st.integers(1, 6), min_size=1, max_size=3))
    spec_sizes[0] = max(spec_sizes[0], 3)
    return dict(
        pos_sizes=pos_sizes,
        spec_sizes=spec_sizes,
        pos_reverse=draw(st.booleans()),  # slowest-first listing instead of fastest-first
        spec_reverse=draw(st.booleans()),
        dtype=draw(st.sampled_from(["f4", "f8", "c8", "i2"])),
        labels=draw(st.sampled_from(["str", "bytes", "none"])),
        breakage=draw(st.sampled_from(BREAKAGES)),
        which=draw(st.sampled_from(NAMES)),
    )


def _write(path: Path, c: dict) -> tuple[int, int]:
    pos = grid_indices(c["pos_sizes"]).astype(np.int64)  # (dims, P), dim 0 fastest
    spec = grid_indices(c["spec_sizes"]).astype(np.int64)
    pos_names = [f"P{i}" for i in range(len(pos))]
    spec_names = [f"S{i}" for i in range(len(spec))]
    if c["pos_reverse"]:
        pos, pos_names = pos[::-1], pos_names[::-1]
    if c["spec_reverse"]:
        spec, spec_names = spec[::-1], spec_names[::-1]
    p, s = pos.shape[1], spec.shape[1]
    brk, which = c["breakage"], c["which"]
    if brk == "empty":
        p = 0
    if brk == "one_point":
        spec = spec[:, :2] if s >= 2 else spec
        s = spec.shape[1]
    tables = {"Position_Indices": pos.T, "Position_Values": pos.T * 1e-7,
              "Spectroscopic_Indices": spec, "Spectroscopic_Values": spec * 1e3}
    names = {"Position_Indices": pos_names, "Position_Values": pos_names,
             "Spectroscopic_Indices": spec_names, "Spectroscopic_Values": spec_names}
    t = tables[which]
    if brk == "wrong_length":
        tables[which] = t[:-1] if which.startswith("Position") else t[:, :-1]
    elif brk == "negative":
        tables[which] = t - 1
    elif brk == "duplicate" and t.size > 1:
        flat = t.copy()
        flat.flat[1] = flat.flat[0]
        tables[which] = flat
    elif brk == "transposed":
        tables[which] = t.T
    elif brk == "float_indices" and which.endswith("Indices"):
        tables[which] = t + 0.5
    with h5py.File(path, "w") as f:
        data = (np.full((p, s), b"ab", "S4") if brk == "text_data"
                else np.ones((p, s), dtype=c["dtype"]))
        main = f.create_dataset("Raw", data=data)
        main.attrs["quantity"] = "Q"
        main.attrs["units"] = b"V"
        for name, arr in tables.items():
            d = f.create_dataset(name, data=arr)
            labels = names[name][:1] if brk == "short_labels" else names[name]
            if c["labels"] == "str":
                d.attrs["labels"] = labels
                d.attrs["units"] = ["u"] * len(labels)
            elif c["labels"] == "bytes":
                d.attrs["labels"] = np.array([x.encode() for x in labels])
                d.attrs["units"] = np.array([b"u"] * len(labels))
            main.attrs[name] = name if brk == "path_refs" else d.ref
        if brk == "drop_attr":
            del main.attrs[which]
        if brk == "dangling":
            del f[which]
    return p, s


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(usid_files())
def test_reader_understands_or_explains(case):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "fuzz.h5"
        p, s = _write(path, case)
        try:
            src = SpectralSource.open(path, "/Raw")
        except InputError as exc:
            assert str(exc)  # a sentence for the user
            event(f"refused ({case['breakage']})")
            return
        event(f"accepted ({case['breakage']})")
        lay = src.layout
        assert lay.n_positions == p
        assert lay.n_steps * lay.n_points == s
        assert sorted(lay.columns.ravel().tolist()) == list(range(s))
        rows, cols = lay.grid_shape
        assert rows * cols >= lay.n_positions
        for pos in range(lay.n_positions):
            r, c = lay.pixel_rc[pos]
            assert lay.position_of(int(r), int(c)) == pos
        block = src.read(0, lay.n_positions)
        assert block.shape == (lay.n_positions, lay.n_steps, lay.n_points)
        if case["breakage"] == "none":
            assert lay.spectral.size == s // lay.n_steps
