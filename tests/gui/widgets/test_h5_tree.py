"""The lazy HDF5 tree and the attributes table, on real files."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from peakgui.core.demo.be import DEMO_DATASET
from peakgui.gui.panels.attributes_table import AttributesTable
from peakgui.gui.widgets.h5_tree import H5TreeModel, H5TreeView, Kind
from tests.gui.helpers import find_index, open_and_wait, open_only, run_batch, select_path

N_OBJECTS = 100_000


@pytest.fixture(scope="session")
def huge_file(tmp_path_factory):
    """10^5 groups in one group, plus a small dataset after them."""
    path = tmp_path_factory.mktemp("huge") / "huge.h5"
    with h5py.File(path, "w") as f:
        gid = f.create_group("many").id
        for i in range(N_OBJECTS):  # the low-level call is twice as fast as create_group
            h5py.h5g.create(gid, f"n{i:06d}".encode())
        f.create_dataset("zzz_values", data=np.arange(10.0))
    return path


@pytest.fixture
def linked_file(tmp_path):
    ext = tmp_path / "external.h5"
    with h5py.File(ext, "w") as f:
        f.create_dataset("data", data=np.ones((2, 3)))
    path = tmp_path / "links.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("target", data=np.zeros(4, dtype=np.int16))
        f["soft_ok"] = h5py.SoftLink("/target")
        f["soft_broken"] = h5py.SoftLink("/nowhere")
        f["ext_ok"] = h5py.ExternalLink(str(ext), "/data")
        f["ext_broken"] = h5py.ExternalLink(str(tmp_path / "missing.h5"), "/data")
        f.attrs["title"] = "links"
    return path


def rows(model: H5TreeModel, parent) -> dict[str, list[str]]:
    out = {}
    for r in range(model.rowCount(parent)):
        cells = [model.data(model.index(r, c, parent)) for c in range(4)]
        out[cells[0]] = cells
    return out


def test_a_file_with_1e5_objects_opens_at_once(qtbot, huge_file):
    view = H5TreeView()
    qtbot.addWidget(view)
    view.show()
    model = view.model()
    with qtbot.waitSignal(model.sigChildrenLoaded, timeout=20_000):
        view.set_file(huge_file)
    top = rows(model, model.file_index())
    assert top["many"][1] == Kind.GROUP and top["many"][2] == f"{N_OBJECTS} items"
    many = find_index(qtbot, model, "/many")
    assert model.rowCount(many) == 0 and model.hasChildren(many)  # nothing read yet
    node = model.node(many)
    assert node.parent is model.node(model.file_index())  # parent kept weakly
    assert node._parent.__class__.__name__ == "ReferenceType"
    view.view().expand(many)
    qtbot.waitUntil(lambda: model.rowCount(many) > 0 and not model.busy(), timeout=20_000)
    qtbot.wait(500)  # Qt asks again after each insertion: it must get one batch only
    fetched = model.rowCount(many)
    assert fetched == H5TreeModel.BATCH and not model.canFetchMore(many)
    assert model.can_fetch_more(many)
    model.fetch_more(many)
    qtbot.waitUntil(lambda: not model.busy(), timeout=5_000)
    assert model.rowCount(many) >= fetched + H5TreeModel.BATCH
    while model.rowCount(many) < 1000:
        model.fetch_more(many)
        qtbot.waitUntil(lambda: not model.busy(), timeout=5_000)
    assert model.data(model.index(999, 0, many)) == "n000999"
    # scrolling to the end of the view reads the next batch
    before = model.rowCount(many)
    bar = view.view().verticalScrollBar()
    bar.setValue(bar.maximum())
    qtbot.waitUntil(lambda: model.rowCount(many) > before and not model.busy(), timeout=20_000)


def test_window_opens_a_huge_file_lazily_and_says_there_is_no_spectral_dataset(
        qtbot, window, huge_file):
    # how fast is a benchmark's question (machines here are shared); what makes it fast is
    # that the tree reads no group's members before it is expanded
    open_only(qtbot, window, huge_file)
    assert window.source is None
    assert "no spectral dataset" in window.info_bar.text()
    model = window.tree.model()
    many = find_index(qtbot, model, "/many")
    assert model.rowCount(many) == 0 and model.hasChildren(many)


def test_columns_and_markers(qtbot, window, small_file):
    run_batch(small_file)
    open_and_wait(qtbot, window, small_file)
    model = window.tree.model()
    chan = find_index(qtbot, model, "/Measurement_000/Channel_000")
    cells = rows(model, chan)
    assert cells["Raw_Data"][1:] == [Kind.MAIN, "768 × 119", "complex64"]
    assert cells["Raw_Data-Peak_Finding_000"][1] == Kind.RESULTS
    assert cells["Bin_Frequencies"][1:] == [Kind.DATASET, "119", "float32"]
    assert model.HEADERS == ("Name", "Kind", "Shape", "Type")
    idx = find_index(qtbot, model, DEMO_DATASET)
    assert "USID main dataset" in model.data(idx, role=3)  # Qt.ToolTipRole
    assert model.data(idx, role=model.PATH_ROLE) == DEMO_DATASET


def test_soft_and_external_links_broken_ones_said(qtbot, window, linked_file):
    open_only(qtbot, window, linked_file)
    model = window.tree.model()
    cells = rows(model, model.file_index())
    assert cells["soft_ok"][1] == "soft link → /target (dataset)"
    assert cells["soft_ok"][2] == "4"
    assert cells["soft_broken"][1] == "soft link → /nowhere (broken)"
    assert cells["ext_ok"][1].startswith("external link → ") and cells["ext_ok"][1].endswith(
        "(dataset)")
    assert cells["ext_ok"][2] == "2 × 3"
    assert cells["ext_broken"][1].endswith("(broken)")
    broken = find_index(qtbot, model, "/ext_broken")
    assert "broken link" in model.data(broken, role=3)
    # selecting a broken link shows it, without an error
    with qtbot.waitSignal(window.attributes.sigShown, timeout=5_000):
        select_path(qtbot, window, "/soft_broken")
    assert "broken soft link" in window.attributes._header.text()
    assert window.dialogs.errors == []


def test_attributes_table(qtbot, small_file):
    table = AttributesTable()
    qtbot.addWidget(table)
    with qtbot.waitSignal(table.sigShown, timeout=5_000):
        table.show_node(small_file, DEMO_DATASET, "USID main")
    t = table.table()
    values = {t.item(r, 0).text(): t.item(r, 1).text() for r in range(t.rowCount())}
    assert values["units"] == "V"
    assert values["quantity"] == "Cantilever Vertical Deflection"
    assert values["Position_Indices"] == "→ /Measurement_000/Channel_000/Position_Indices"
    with qtbot.waitSignal(table.sigShown, timeout=5_000):
        table.show_node(small_file, "/Measurement_000", "group")
    values = {t.item(r, 0).text(): t.item(r, 1).text() for r in range(t.rowCount())}
    assert values["grid_num_rows"] == "24"


def test_tree_selection_opens_datasets_and_activation_explains_wrong_ones(qtbot, window,
                                                                         small_file):
    open_and_wait(qtbot, window, small_file)
    node_path = "/Measurement_000/Channel_000/Bin_Frequencies"
    select_path(qtbot, window, node_path)
    assert window.source.dataset == DEMO_DATASET  # a plain dataset is only described
    node = window.tree.current_node()
    with qtbot.waitSignal(window.sigOpenFinished, timeout=5_000):
        window.tree.sigNodeActivated.emit(node)  # double-click / Enter
    assert "not a spectral map" in window.info_bar.text()
    assert window.source.dataset == DEMO_DATASET


def test_first_dataset_is_the_one_the_batch_cli_picks(tmp_path, small_file):
    from peakgui.core.io.discover import find_spectral_datasets
    from peakgui.core.io.h5access import open_read
    from peakgui.core.io.source import SpectralSource

    first_spectral_dataset = SpectralSource.first_dataset

    with h5py.File(small_file, "a") as f:  # a plain cube before the USID dataset in name order
        f.create_dataset("/A_cube", data=np.zeros((2, 3, 5), dtype=np.float32))
    with open_read(small_file) as f:
        expected = find_spectral_datasets(f)[0]
    assert first_spectral_dataset(small_file) == expected == DEMO_DATASET
    cube_only = tmp_path / "cube.h5"
    with h5py.File(cube_only, "w") as f:
        f.create_dataset("/g/cube", data=np.zeros((2, 3, 5), dtype=np.float32))
        f["/link"] = h5py.SoftLink("/g")
    assert first_spectral_dataset(cube_only) == "/g/cube"
    assert first_spectral_dataset(cube_only, budget=1) is None  # gives up on huge files



def test_a_refresh_while_a_selection_is_on_its_way_keeps_that_selection(qtbot, tmp_path,
                                                                       small_file):
    """A run's results refresh the dataset's group while select_path still waits for its rows
    (a reused run does this at once): the dataset must end up current, not an older row."""
    path = tmp_path / "scan.h5"
    path.write_bytes(small_file.read_bytes())
    view = H5TreeView()
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitSignal(view.model().sigChildrenLoaded, timeout=20_000):
        view.set_file(path)
    parent = DEMO_DATASET.rsplit("/", 1)[0]
    with qtbot.waitSignal(view.sigPathSelected, timeout=20_000):
        view.select_path(parent.rsplit("/", 1)[0])
    view.view().expand(view.model().loaded_index(parent.rsplit("/", 1)[0]))
    # the channel's row is read, not yet its rows
    qtbot.waitUntil(lambda: view.model().loaded_index(parent).isValid()
                    and not view.model().busy(), timeout=20_000)
    assert view.model().rowCount(view.model().loaded_index(parent)) == 0
    with qtbot.waitSignal(view.sigPathSelected, timeout=20_000):
        view.select_path(DEMO_DATASET)  # waits for the channel's rows...
        view.refresh_path(parent)  # ...which a refresh throws away and reads again
    qtbot.waitUntil(lambda: not view.model().busy(), timeout=20_000)
    assert view.current_node() is not None and view.current_node().path == DEMO_DATASET
