"""The browsing model (core, Qt-free) and the Qt model that lists it through workers."""

from __future__ import annotations

import h5py
import numpy as np

from peakgui.core.io.browse import Kind, file_node, iter_children, read_children
from peakgui.gui.widgets.h5_tree_model import H5TreeModel
from tests.gui.helpers import find_index


def make_file(tmp_path, n=600):
    path = tmp_path / "groups.h5"
    with h5py.File(path, "w") as f:
        g = f.create_group("many")
        for i in range(n):
            g.create_group(f"g{i:04d}")
        f.create_dataset("data", data=np.zeros((3, 4)))
    return path


def test_children_are_read_a_batch_at_a_time(tmp_path):
    path = make_file(tmp_path)
    root = file_node(path)
    assert root.kind == Kind.FILE and root.info.n_children == 2
    infos, size = read_children(path, "/many", 100, 50)
    assert size == 600 and [i.name for i in infos][:2] == ["g0100", "g0101"] and len(infos) == 50
    batches = list(iter_children(path, "/many", 0, 256, until="g0300"))
    assert [len(b) for b, _ in batches] == [256, 256]
    assert len(list(iter_children(path, "/many", 0, 256))) == 1  # one batch unless asked
    data = read_children(path, "/", 0, 10)[0]
    assert [(i.name, i.kind, i.shape) for i in data] == [("data", Kind.DATASET, (3, 4)),
                                                         ("many", Kind.GROUP, None)]


def test_find_path_lists_the_groups_along_the_way(qtbot, tmp_path):
    path = make_file(tmp_path)
    model = H5TreeModel()
    with qtbot.waitSignal(model.sigChildrenLoaded, timeout=5_000):
        model.set_file(path)
    index = find_index(qtbot, model, "/many/g0400")  # beyond the first batch
    assert index.isValid() and model.node(index).path == "/many/g0400"
    assert model.rowCount(index.parent()) >= 401
    assert not find_index(qtbot, model, "/many/nothing").isValid()
    assert not find_index(qtbot, model, "/absent/deeper").isValid()
    qtbot.waitUntil(lambda: not model.busy(), timeout=5_000)


def test_refresh_lists_a_group_again(qtbot, tmp_path):
    path = make_file(tmp_path, n=3)
    model = H5TreeModel()
    with qtbot.waitSignal(model.sigChildrenLoaded, timeout=5_000):
        model.set_file(path)
    many = find_index(qtbot, model, "/many/g0000").parent()
    qtbot.waitUntil(lambda: not model.busy(), timeout=5_000)
    with h5py.File(path, "a") as f:
        f["many"].create_group("new")
    done = []
    model.refresh(many, then=lambda: done.append(True))
    qtbot.waitUntil(lambda: bool(done), timeout=5_000)
    names = [model.node(model.index(r, 0, many)).name for r in range(model.rowCount(many))]
    assert names == ["g0000", "g0001", "g0002", "new"]


def test_a_group_that_cannot_be_read_is_said(qtbot, tmp_path):
    path = make_file(tmp_path, n=3)
    model = H5TreeModel()
    with qtbot.waitSignal(model.sigChildrenLoaded, timeout=5_000):
        model.set_file(path)
    many = find_index(qtbot, model, "/many")
    path.unlink()
    with qtbot.waitSignal(model.sigFetchFailed, timeout=5_000) as failed:
        model.fetch_more(many)
    assert "/many" in failed.args[0]
    qtbot.waitUntil(lambda: not model.busy(), timeout=5_000)
    assert not model.can_fetch_more(many)
