# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""Compiled loop guess and bounded Levenberg-Marquardt fit, one projected loop at a time.

The model is BGlib's ``loop_fit_function`` evaluated per step with a branch label (see
``model.py``). Every loop is guessed and fitted, from several starts, inside one ``nogil`` loop
so the engine's threads run in parallel. No per-loop memory is allocated: residuals and the
analytic Jacobian (at most six non-zero entries per step) are folded into the 9x9 normal matrix
``J^T J`` and the gradient ``J^T r`` as the steps are visited.

Internally responses are divided by the loop's largest ``|y|`` and voltages by the waveform's
largest ``|V|``; BGlib's millivolt switch constant is scaled with them, so the model is the same
function in parameters of order one.
"""

from libc.math cimport INFINITY, NAN, erf, exp, fabs, isfinite, sqrt

import numpy as np

from peakgui.core.analyses._lm cimport (
    clip,
    damped_system,
    free_variables,
    judge_step,
    raise_damping,
    solve_spd,
)

# like _sho_fit.pyx (codes, cimports, the LM step loop): each fit's own stored codes and loop
# status codes, mirrored in status.py
cdef enum:
    CONVERGED = 0
    AT_BOUND = 1
    MAX_ITER = 2
    NON_FINITE = 3
    TOO_FEW_POINTS = 4
    NO_SWITCHING = 5
    FAILED = 6

DEF NP = 9
DEF NH = 45  # packed upper triangle of a 9x9 matrix

MAX_STARTS = 5
cdef double _TWO_OVER_SQRT_PI = 1.1283791670955126
cdef double _ERFINV_HALF = 0.4769362762044699  # erf(x) = 1/2: the 25-75 % half-width of erf
cdef double _MU_MAX = 1e30
cdef double _END_FRACTION = 0.2  # the ends of the sweep taken as plateaus by the guess
cdef int _MIN_BRANCH = 3


cdef struct Options:
    double ftol
    double xtol
    double gtol
    double sharp  # BGlib's 1000 / V in scaled volts
    double v_lo  # bounds of a_2 and a_3 (scaled)
    double v_hi
    double b_lo  # bounds of the widths (scaled)
    double b_hi
    int max_iter
    int n_starts


cdef int _PK[9][9]


cdef void _init_index():
    cdef int i, j
    for i in range(NP):
        for j in range(NP):
            if i <= j:
                _PK[i][j] = i * NP - (i * (i - 1)) // 2 + (j - i)
            else:
                _PK[i][j] = j * NP - (j * (j - 1)) // 2 + (i - j)


_init_index()


cdef double _evaluate(const double* y, const double* v, const unsigned char* br, int m,
                      double inv_s, const double* p, double sharp, double* H,
                      double* g) noexcept nogil:
    """Half the sum of squared residuals at p; fills H = J^T J (packed) and g = J^T r when H is
    not NULL. The row of J at a step has entries only at a_0, a_1, a_4 and the three parameters
    of its branch."""
    cdef double F = 0.0, u, ud, step, gd, gw, t, e, gauss, n, s, yy, r, dn_dg, dg_du
    cdef double a, lo, hi, val[6]
    cdef int idx[6]
    cdef int k, i, j
    if H != NULL:
        for i in range(NH):
            H[i] = 0.0
        for i in range(NP):
            g[i] = 0.0
    idx[0] = 0
    idx[1] = 1
    idx[3] = 4
    for k in range(m):
        # falling steps: a_2, b_0, b_1; rising steps: a_3, b_2, b_3
        idx[2] = 2 + br[k]
        idx[4] = 5 + 2 * br[k]
        idx[5] = idx[4] + 1
        a = p[idx[2]]
        lo = p[idx[4]]
        hi = p[idx[5]]
        u = v[k] - a
        ud = u * sharp
        if ud >= 6.0:
            step = 1.0
            gd = 0.0
        elif ud <= -6.0:
            step = -1.0
            gd = 0.0
        else:
            step = erf(ud)
            gd = exp(-ud * ud)
        gw = (hi - lo) * 0.5 * (step + 1.0) + lo
        t = u / gw
        e = erf(t)
        s = lo + hi
        n = gw * e + lo
        yy = n / s
        r = p[0] + p[1] * yy + p[4] * v[k] - y[k] * inv_s
        F += r * r
        if H == NULL:
            continue
        gauss = _TWO_OVER_SQRT_PI * exp(-t * t)
        dn_dg = e - gauss * t
        dg_du = (hi - lo) * sharp * 0.5 * _TWO_OVER_SQRT_PI * gd
        val[0] = 1.0
        val[1] = yy
        val[2] = -p[1] * (gauss + dn_dg * dg_du) / s
        val[3] = v[k]
        val[4] = p[1] * ((dn_dg * (1.0 - step) * 0.5 + 1.0) / s - yy / s)
        val[5] = p[1] * (dn_dg * (1.0 + step) * 0.5 / s - yy / s)
        for i in range(6):
            g[idx[i]] += val[i] * r
            for j in range(i, 6):
                H[_PK[idx[i]][idx[j]]] += val[i] * val[j]
    return 0.5 * F


cdef void _guess_branch(const double* z, const double* v, const unsigned char* br, int m,
                        unsigned char which, double* a, double* lo, double* hi,
                        double* a_int) noexcept nogil:
    """Transition of one branch from its normalised response z (0 low plateau, 1 high): the
    mid-level crossing nearest the integral estimate for ``a``, the 25 % and 75 % crossings
    next to it for the widths. Only segments between two steps of the branch are read, so any
    number of sweeps works."""
    cdef double vmin = INFINITY, vmax = -INFINITY, area = 0.0, length = 0.0, dv, z0, z1, c
    cdef double best, vc, below = -INFINITY, above = INFINITY, est
    cdef int k, lvl
    for k in range(m):
        if br[k] == which:
            if v[k] < vmin:
                vmin = v[k]
            if v[k] > vmax:
                vmax = v[k]
    for k in range(m - 1):
        if br[k] != which or br[k + 1] != which:
            continue
        dv = fabs(v[k + 1] - v[k])
        area += (1.0 - 0.5 * (clip(z[k], 0.0, 1.0) + clip(z[k + 1], 0.0, 1.0))) * dv
        length += dv
    est = vmin + (area / length) * (vmax - vmin) if length > 0.0 else 0.5 * (vmin + vmax)
    a_int[0] = est
    a[0] = est
    best = INFINITY
    for lvl in range(3):
        c = 0.5 if lvl == 0 else (0.25 if lvl == 1 else 0.75)
        for k in range(m - 1):
            if br[k] != which or br[k + 1] != which:
                continue
            z0 = z[k]
            z1 = z[k + 1]
            if z0 == z1 or (z0 - c) * (z1 - c) > 0.0:
                continue
            vc = v[k] + (c - z0) * (v[k + 1] - v[k]) / (z1 - z0)
            if lvl == 0:
                if fabs(vc - est) < best:
                    best = fabs(vc - est)
                    a[0] = vc
            elif lvl == 1:
                if vc <= a[0] and vc > below:
                    below = vc
            elif vc >= a[0] and vc < above:
                above = vc
    lo[0] = (a[0] - below) / _ERFINV_HALF if isfinite(below) else NAN
    hi[0] = (above - a[0]) / _ERFINV_HALF if isfinite(above) else NAN
    if not isfinite(lo[0]):
        lo[0] = hi[0]
    if not isfinite(hi[0]):
        hi[0] = lo[0]
    if not isfinite(lo[0]):
        lo[0] = 0.05 * (vmax - vmin)
        hi[0] = lo[0]


cdef inline void _region_sums(double vk, double yk, double* acc) noexcept nogil:
    acc[0] += 1.0
    acc[1] += vk
    acc[2] += yk
    acc[3] += vk * vk
    acc[4] += vk * yk


cdef inline double _slope(const double* acc, int* count) noexcept nogil:
    cdef double den = acc[0] * acc[3] - acc[1] * acc[1]
    if acc[0] >= 2.0 and den > 1e-12 * acc[0] * acc[3]:
        count[0] += 1
        return (acc[0] * acc[4] - acc[1] * acc[2]) / den
    return 0.0


cdef void _guess(const double* y, const double* v, const unsigned char* br, int m,
                 double inv_s, const Options* o, double* z, double* p,
                 double* a_int) noexcept nogil:
    """Model-free guess: slope a_4 from the ends of the sweep, plateaus a_0 and a_0 + a_1 from
    the ends with the slope removed, then each branch's transition (``_guess_branch``)."""
    cdef double top[5]
    cdef double bot[5]
    cdef double vmin = INFINITY, vmax = -INFINITY, cut_lo, cut_hi, yk, up, a4
    cdef int k, count = 0
    for k in range(5):
        top[k] = 0.0
        bot[k] = 0.0
    for k in range(m):
        if v[k] < vmin:
            vmin = v[k]
        if v[k] > vmax:
            vmax = v[k]
    cut_lo = vmin + _END_FRACTION * (vmax - vmin)
    cut_hi = vmax - _END_FRACTION * (vmax - vmin)
    for k in range(m):
        yk = y[k] * inv_s
        if v[k] >= cut_hi:
            _region_sums(v[k], yk, top)
        if v[k] <= cut_lo:
            _region_sums(v[k], yk, bot)
    a4 = _slope(top, &count) + _slope(bot, &count)
    a4 = a4 / count if count else 0.0
    up = (top[2] - a4 * top[1]) / top[0] if top[0] > 0 else NAN
    p[0] = (bot[2] - a4 * bot[1]) / bot[0] if bot[0] > 0 else NAN
    p[1] = up - p[0]
    p[4] = a4
    if not (p[1] > 0.0):  # no rise from the low end to the high end: a token step
        p[1] = 1e-3
    for k in range(m):
        z[k] = (y[k] * inv_s - a4 * v[k] - p[0]) / p[1]
    _guess_branch(z, v, br, m, 0, &p[2], &p[5], &p[6], &a_int[0])
    _guess_branch(z, v, br, m, 1, &p[3], &p[7], &p[8], &a_int[1])
    for k in range(2, 4):
        p[k] = clip(p[k], o.v_lo, o.v_hi)
    for k in range(5, 9):
        p[k] = clip(p[k], o.b_lo, o.b_hi)


cdef void _start(int which, const double* guess, const double* a_int, const Options* o,
                 double* p) noexcept nogil:
    """The starts tried after the guess: sharper and broader transitions, the integral
    estimates of the coercive voltages, no electrostatic slope."""
    cdef int i
    cdef double f
    for i in range(NP):
        p[i] = guess[i]
    if which == 1 or which == 2:
        f = 0.4 if which == 1 else 2.5
        for i in range(5, 9):
            p[i] = clip(guess[i] * f, o.b_lo, o.b_hi)
    elif which == 3:
        p[2] = clip(a_int[0], o.v_lo, o.v_hi)
        p[3] = clip(a_int[1], o.v_lo, o.v_hi)
    elif which == 4:
        p[4] = 0.0


cdef int _lm(const double* y, const double* v, const unsigned char* br, int m, double inv_s,
             const Options* o, const double* lo, const double* hi, double* p,
             double* F_out) noexcept nogil:
    """Bounded Levenberg-Marquardt from p (in place): steps of the free parameters (not held at
    a bound by the gradient) are clipped to the box, Marquardt's diagonal scaling, Nielsen's
    damping update. Returns CONVERGED or MAX_ITER, or FAILED on a non-finite cost."""
    cdef double H[NH]
    cdef double Ht[NH]
    cdef double g[NP]
    cdef double gt[NP]
    cdef double D[NP]
    cdef double pt[NP]
    cdef double step[NP]
    cdef double z[NP]
    cdef double M[NP * NP]
    cdef int free_idx[NP]
    cdef double F, Ft = 0.0, mu = 1e-3, nu = 2.0, t, gnorm, pred, rho, tol
    cdef int i, j, nf, evals = 0, accepted, small, status = MAX_ITER
    F = _evaluate(y, v, br, m, inv_s, p, o.sharp, H, g)
    if not isfinite(F):
        F_out[0] = F
        return FAILED
    for i in range(NP):
        D[i] = H[_PK[i][i]]
    while evals < o.max_iter:
        if F == 0.0:
            status = CONVERGED
            break
        nf = free_variables(p, g, lo, hi, H, NP, F, free_idx, &gnorm)  # a_1 = 0 frees a_0, a_4
        if nf == 0 or gnorm <= o.gtol:
            status = CONVERGED
            break
        for i in range(NP):
            t = H[_PK[i][i]]
            if t > D[i]:
                D[i] = t
        accepted = 0
        small = 0
        while evals < o.max_iter:
            damped_system(H, g, D, mu, free_idx, nf, NP, M, z)
            if not solve_spd(M, z, nf):
                raise_damping(&mu, &nu)
                if mu > _MU_MAX:
                    break
                continue
            for i in range(NP):
                pt[i] = p[i]
            for i in range(nf):
                j = free_idx[i]
                pt[j] = clip(p[j] + z[i], lo[j], hi[j])
            small = 1
            for i in range(NP):
                step[i] = pt[i] - p[i]
                if fabs(step[i]) > o.xtol * (fabs(p[i]) + o.xtol):
                    small = 0
            pred = 0.0  # the decrease the linear model predicts: -g.s - s.H.s / 2
            for i in range(NP):
                pred -= g[i] * step[i]
                for j in range(NP):
                    pred -= 0.5 * step[i] * H[_PK[i][j]] * step[j]
            if small:  # the step asked for is below tolerance: p is the answer already
                break
            evals += 1
            Ft = _evaluate(y, v, br, m, inv_s, pt, o.sharp, Ht, gt)
            if judge_step(F, Ft, pred, &mu, &nu):
                accepted = 1
                break
            if mu > _MU_MAX:
                break
        if not accepted:
            if small or mu > _MU_MAX:
                status = CONVERGED
            break
        small = 1
        for i in range(NP):
            tol = o.xtol * (fabs(p[i]) + o.xtol)
            if fabs(step[i]) > tol:
                small = 0
        if F - Ft <= o.ftol * F:  # scipy's ftol: the cost stopped falling
            small = 1
        for i in range(NP):
            p[i] = pt[i]
            g[i] = gt[i]
        for i in range(NH):
            H[i] = Ht[i]
        F = Ft
        if small:
            status = CONVERGED
            break
    F_out[0] = F
    return status


cdef void _covariance(const double* y, const double* v, const unsigned char* br, int m,
                      double inv_s, const double* p, double sharp, double F,
                      double* cov) noexcept nogil:
    """sigma^2 (J^T J)^-1 at p, sigma^2 = sum of squared residuals / (m - 9); NaN when J^T J
    is singular (a parameter the data do not determine)."""
    cdef double H[NH]
    cdef double g[NP]
    cdef double M[NP * NP]
    cdef double col[NP]
    cdef double s2 = 2.0 * F / (m - NP)
    cdef int i, j
    _evaluate(y, v, br, m, inv_s, p, sharp, H, g)
    for i in range(NP):
        for j in range(NP):
            cov[i * NP + j] = NAN
    for j in range(NP):
        for i in range(NP * NP):
            M[i] = H[_PK[i // NP][i % NP]]
        for i in range(NP):
            col[i] = 1.0 if i == j else 0.0
        if not solve_spd(M, col, NP):
            return
        for i in range(NP):
            cov[i * NP + j] = s2 * col[i]


cdef inline void _units(double scale, double v_scale, double* scl) noexcept nogil:
    """What each scaled parameter is multiplied by to be in physical units."""
    cdef int i
    for i in range(NP):
        scl[i] = v_scale if i >= 2 else scale
    scl[4] = scale / v_scale


cdef double _waveform(const double[::1] voltage, const unsigned char[::1] labels,
                      double width_min, double width_max, double sharpness, Options* o,
                      int* n_fall):
    """Fill the waveform's part of the options (bounds, BGlib's constant, all scaled) and
    return the voltage scale max|V| (0 when the voltages are not finite or all zero)."""
    cdef int k, m = <int>voltage.shape[0]
    cdef double v_scale = 0.0, vmin = INFINITY, vmax = -INFINITY
    n_fall[0] = 0
    for k in range(m):
        if not isfinite(voltage[k]):
            return 0.0
        v_scale = max(v_scale, fabs(voltage[k]))
        vmin = min(vmin, voltage[k])
        vmax = max(vmax, voltage[k])
        if labels[k] == 0:
            n_fall[0] += 1
    if not (v_scale > 0.0) or not (vmax > vmin):
        return 0.0
    o.sharp = sharpness * v_scale
    o.v_lo = vmin / v_scale
    o.v_hi = vmax / v_scale
    o.b_lo = width_min / v_scale
    o.b_hi = width_max / v_scale
    return v_scale


cdef int _fit_one(const double* y, const double* v, const unsigned char* br, int m,
                  const Options* o, double v_scale, double* z, double* guess, double* fit,
                  double* cov) noexcept nogil:
    """Guess and fit one loop; writes the 9 parameters and R^2 (physical units) to guess and
    fit, the parameters' covariance to cov (9x9), and returns a status code."""
    cdef double lo[NP]
    cdef double hi[NP]
    cdef double p0[NP]
    cdef double p[NP]
    cdef double best[NP]
    cdef double scl[NP]
    cdef double a_int[2]
    cdef double scale = 0.0, inv_s, mean = 0.0, ss_tot = 0.0, F, F_best = INFINITY, se
    cdef int k, i, j, st, status = FAILED
    for i in range(NP + 1):
        guess[i] = NAN
        fit[i] = NAN
    for i in range(NP * NP):
        cov[i] = NAN
    for k in range(m):
        if not isfinite(y[k]):
            return NON_FINITE
    for k in range(m):
        mean += y[k]
        if fabs(y[k]) > scale:
            scale = fabs(y[k])
    mean /= m
    for k in range(m):
        ss_tot += (y[k] - mean) * (y[k] - mean)
    if not (ss_tot > 0.0):
        guess[NP] = 0.0
        fit[NP] = 0.0
        return NO_SWITCHING
    inv_s = 1.0 / scale
    ss_tot *= inv_s * inv_s
    for i in range(NP):
        lo[i] = -INFINITY
        hi[i] = INFINITY
    lo[1] = 0.0
    for i in range(2, 4):
        lo[i] = o.v_lo
        hi[i] = o.v_hi
    for i in range(5, 9):
        lo[i] = o.b_lo
        hi[i] = o.b_hi
    _units(scale, v_scale, scl)

    _guess(y, v, br, m, inv_s, o, z, p0, a_int)
    F = _evaluate(y, v, br, m, inv_s, p0, o.sharp, NULL, NULL)
    for i in range(NP):
        guess[i] = p0[i] * scl[i]
    guess[NP] = 1.0 - 2.0 * F / ss_tot
    if not isfinite(F):
        return FAILED
    for j in range(o.n_starts):
        _start(j, p0, a_int, o, p)
        st = _lm(y, v, br, m, inv_s, o, lo, hi, p, &F)
        if st != FAILED and F < F_best:
            F_best = F
            status = st
            for i in range(NP):
                best[i] = p[i]
    if status == FAILED:
        return FAILED
    for i in range(NP):
        fit[i] = best[i] * scl[i]
    fit[NP] = 1.0 - 2.0 * F_best / ss_tot
    for i in range(NP + 1):
        if not isfinite(fit[i]):
            return FAILED
    _covariance(y, v, br, m, inv_s, best, o.sharp, F_best, cov)
    for i in range(NP):
        for j in range(NP):
            cov[i * NP + j] *= scl[i] * scl[j]
    if status == CONVERGED:
        for i in range(1, NP):
            if i != 4 and (best[i] <= lo[i] or best[i] >= hi[i]):
                status = AT_BOUND
    se = sqrt(cov[1 * NP + 1]) if cov[1 * NP + 1] >= 0.0 else 0.0
    if not (fit[1] > 2.0 * se):
        status = NO_SWITCHING
    return status


def fit_block(const double[:, ::1] loops, const double[::1] voltage,
              const unsigned char[::1] labels, int max_iter, double ftol, double xtol,
              double gtol, int n_starts, double width_min, double width_max, double sharpness,
              double[:, ::1] guess, double[:, ::1] fit, double[:, ::1] cov,
              unsigned char[::1] status):
    """Fit every row of ``loops`` (n, m) over ``voltage`` (m,) V with branch ``labels`` (m,).

    ``guess`` and ``fit`` (n, 10) receive a_0..a_4, b_0..b_3 and R^2; ``cov`` (n, 81) the
    parameters' covariance; ``status`` (n,) the codes of status.py. Widths are bounded to
    [width_min, width_max] V and a_2, a_3 to the waveform's range. The GIL is released for the
    whole loop.
    """
    cdef Py_ssize_t n = loops.shape[0], i
    cdef int m = <int>voltage.shape[0], n_fall
    cdef Options o
    cdef double v_scale
    if loops.shape[1] != m or labels.shape[0] != m:
        raise ValueError("loops, voltage and labels must have the same number of steps")
    if guess.shape[0] != n or fit.shape[0] != n or cov.shape[0] != n or status.shape[0] != n \
            or guess.shape[1] != NP + 1 or fit.shape[1] != NP + 1 or cov.shape[1] != NP * NP:
        raise ValueError("output arrays have the wrong shape")
    if not 1 <= n_starts <= MAX_STARTS:
        raise ValueError(f"n_starts must be between 1 and {MAX_STARTS}")
    v_scale = _waveform(voltage, labels, width_min, width_max, sharpness, &o, &n_fall)
    guess[:, :] = NAN
    fit[:, :] = NAN
    cov[:, :] = NAN
    if not (v_scale > 0.0) or n_fall < _MIN_BRANCH or m - n_fall < _MIN_BRANCH or m <= NP:
        status[:] = TOO_FEW_POINTS
        return
    cdef double[::1] vs = np.asarray(voltage, dtype=np.float64) / v_scale
    cdef double[::1] work = np.empty(m, dtype=np.float64)
    o.ftol = ftol
    o.xtol = xtol
    o.gtol = gtol
    o.max_iter = max_iter
    o.n_starts = n_starts
    with nogil:
        for i in range(n):
            status[i] = <unsigned char>_fit_one(&loops[i, 0], &vs[0], &labels[0], m, &o,
                                                v_scale, &work[0], &guess[i, 0], &fit[i, 0],
                                                &cov[i, 0])


def guess_block(const double[:, ::1] loops, const double[::1] voltage,
                const unsigned char[::1] labels, int n_starts, double width_min,
                double width_max, double[:, :, ::1] starts):
    """The model-free guess and the starts the fit tries, (n, n_starts, 9) in physical units
    (start 0 is the guess itself); NaN rows for loops that are not finite or are flat. For
    the scipy reference and inspection: ``fit_block`` computes the same internally."""
    cdef Py_ssize_t n = loops.shape[0], i
    cdef int m = <int>voltage.shape[0], k, j, q, n_fall
    cdef Options o
    cdef double v_scale, scale
    cdef double p0[NP]
    cdef double p[NP]
    cdef double scl[NP]
    cdef double a_int[2]
    if loops.shape[1] != m or labels.shape[0] != m or starts.shape[0] != n \
            or starts.shape[1] != n_starts or starts.shape[2] != NP:
        raise ValueError("arrays have inconsistent shapes")
    if not 1 <= n_starts <= MAX_STARTS:
        raise ValueError(f"n_starts must be between 1 and {MAX_STARTS}")
    starts[:, :, :] = NAN
    v_scale = _waveform(voltage, labels, width_min, width_max, 1000.0, &o, &n_fall)
    if not (v_scale > 0.0):
        return
    cdef double[::1] vs = np.asarray(voltage, dtype=np.float64) / v_scale
    cdef double[::1] work = np.empty(m, dtype=np.float64)
    with nogil:
        for i in range(n):
            scale = 0.0
            for k in range(m):
                if not isfinite(loops[i, k]):
                    scale = NAN
                    break
                scale = max(scale, fabs(loops[i, k]))
            if not (scale > 0.0):
                continue
            _units(scale, v_scale, scl)
            _guess(&loops[i, 0], &vs[0], &labels[0], m, 1.0 / scale, &o, &work[0], p0, a_int)
            for j in range(n_starts):
                _start(j, p0, a_int, &o, p)
                for q in range(NP):
                    starts[i, j, q] = p[q] * scl[q]
