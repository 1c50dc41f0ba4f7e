# Types of the compiled ridge kernel (_ridge.pyx), for the type checker; unchecked entry points,
# see ridge_kernel.py.
import numpy as np

def peaks_from_cwt_block(
    x: np.ndarray, even: np.ndarray, odd: np.ndarray, general: np.ndarray,
    mirror_rows: np.ndarray, mirror_shift: np.ndarray, general_rows: np.ndarray,
    row_abs_sum: np.ndarray, bound_coefficient: float, bound_floor: float,
    max_magnitude: float, max_distances: np.ndarray, gap_thresh: float, min_length: float,
    min_snr: float, noise_perc: float, window_size: int, peaks: np.ndarray, count: np.ndarray,
    chosen: np.ndarray, undecided: np.ndarray,
) -> None: ...
def find_maxima(cwt: np.ndarray, thresholds: np.ndarray, max_cols: np.ndarray,
                n_max: np.ndarray) -> bool: ...
def track_ridges(max_cols: np.ndarray, n_max: np.ndarray, max_distances: np.ndarray,
                 gap_thresh: float, line_row: np.ndarray, line_col: np.ndarray,
                 line_len: np.ndarray, line_gap: np.ndarray, active: np.ndarray,
                 snapshot: np.ndarray) -> int: ...
def window_noise(row0: np.ndarray, column: int, half_window: int, odd_window: int,
                 noise_perc: float, row0_bound: float,
                 scratch: np.ndarray) -> tuple[float, float, bool]: ...
def snr_verdict(value: float, value_bound: float, noise: float, noise_bound: float,
                min_snr: float) -> int: ...
def own_noise_verdict(value: float, value_bound: float, min_snr: float) -> int: ...
