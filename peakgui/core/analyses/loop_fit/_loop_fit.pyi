# Types of the compiled loop fit (_loop_fit.pyx), for the type checker; see fit.py and guess.py.
import numpy as np

MAX_STARTS: int

def fit_block(loops: np.ndarray, voltage: np.ndarray, labels: np.ndarray, max_iter: int,
              ftol: float, xtol: float, gtol: float, n_starts: int, width_min: float,
              width_max: float, sharpness: float, guess: np.ndarray, fit: np.ndarray,
              cov: np.ndarray, status: np.ndarray) -> None: ...
def guess_block(loops: np.ndarray, voltage: np.ndarray, labels: np.ndarray, n_starts: int,
                width_min: float, width_max: float, starts: np.ndarray) -> None: ...
