# Types of the compiled SHO fit (_sho_fit.pyx), for the type checker; see fit.py.
import numpy as np

MIN_FIT_POINTS: int

def fit_block(spectra: np.ndarray, freq: np.ndarray, q_min: float, q_max: float, max_iter: int,
              ftol: float, xtol: float, gtol: float, guess_method: int, guess: np.ndarray,
              fit: np.ndarray, status: np.ndarray) -> None: ...
