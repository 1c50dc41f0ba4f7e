# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""Compiled SHO guess and bounded Levenberg-Marquardt fit, one spectrum at a time.

The model is BGlib's ``SHOfunc``: ``m(w) = A exp(i phi) w0^2 / (w^2 - i w w0 / Q - w0^2)``.
Every spectrum is fitted inside one ``nogil`` loop so the engine's threads run in parallel.
No per-spectrum memory is allocated: residuals and the analytic Jacobian are folded into the
4x4 normal matrix ``J^T J`` and the gradient ``J^T r`` as the points are visited.

Internally amplitudes are divided by the spectrum's largest ``|x|`` and frequencies by the band's
largest ``|w|``; the model keeps its form under both scalings (it is homogeneous of degree zero
in ``(w, w0)``), so the fit is the same problem with parameters of order one.
"""

from libc.math cimport INFINITY, NAN, M_PI, atan2, cos, fabs, fmod, isfinite, sin, sqrt

import numpy as np

from peakgui.core.analyses._lm cimport (
    clip,
    damped_system,
    free_variables,
    judge_step,
    packed,
    raise_damping,
    solve_spd,
)

# like _loop_fit.pyx (codes, cimports, the LM step loop): each fit's own stored codes and loop
# status codes, mirrored in status.py
cdef enum:
    CONVERGED = 0
    AT_BOUND = 1
    MAX_ITER = 2
    NON_FINITE = 3
    TOO_FEW_POINTS = 4
    NO_SIGNAL = 5
    FAILED = 6

cdef enum:
    GUESS_PEAK = 0
    GUESS_ALGEBRAIC = 1

MIN_FIT_POINTS = 5
cdef int _MIN_POINTS = 5
cdef double _SQRT3 = 1.7320508075688772
cdef double _MU_MAX = 1e30


cdef struct Options:
    double q_min
    double q_max
    double ftol
    double xtol
    double gtol
    int max_iter
    int guess


cdef inline double _wrap(double phi) noexcept nogil:
    """phi wrapped to (-pi, pi]."""
    cdef double r = fmod(M_PI - phi, 2.0 * M_PI)
    if r < 0:
        r += 2.0 * M_PI
    return M_PI - r


cdef double _evaluate(const double* x, const double* w, int m, double inv_s, const double* p,
                      double* H, double* g) noexcept nogil:
    """Half the sum of squared residuals at p; fills H = J^T J (10 upper entries) and g = J^T r.

    Parameters are (a, u, q, phi) in scaled units, m = a b with b = exp(i phi) u^2 / D and
    D = w^2 - u^2 - i w u / q. The Jacobian columns are b, a b e, a b f and i a b with
    e = (2 w^2 - i w u/q) / (u D) and f = -i (w u / q^2) / D, so every entry of J^T J is a sum
    of |b|^2 times a function of e and f (and J_a . J_phi = 0): 8 sums per point instead of 10
    full products.
    """
    cdef double a = p[0], u = p[1], q = p[2]
    cdef double c = cos(p[3]), s = sin(p[3])
    cdef double u2 = u * u, u4 = u2 * u2, inv_u = 1.0 / u, inv_q = 1.0 / q
    cdef double F = 0.0
    cdef double wk, w2, dr, di, den, ir, ii, br, bi, rr, ri, t, er, ei, fr, fi, kq, bb, cr, ci
    cdef double sb = 0.0, sber = 0.0, sbfr = 0.0, sbe2 = 0.0, sbef = 0.0, sbei = 0.0
    cdef double sbfi = 0.0, sbf2 = 0.0, g0 = 0.0, g1 = 0.0, g2 = 0.0, g3 = 0.0
    cdef int k
    for k in range(m):
        wk = w[k]
        w2 = wk * wk
        t = wk * u * inv_q
        dr = w2 - u2
        di = -t
        den = 1.0 / (dr * dr + di * di)
        ir = dr * den  # 1/D = (dr - i di) / |D|^2
        ii = t * den
        br = u2 * (c * ir - s * ii)
        bi = u2 * (c * ii + s * ir)
        rr = a * br - x[2 * k] * inv_s
        ri = a * bi - x[2 * k + 1] * inv_s
        F += rr * rr + ri * ri
        bb = u4 * den  # |b|^2
        er = (2.0 * w2 * ir + t * ii) * inv_u
        ei = (2.0 * w2 * ii - t * ir) * inv_u
        kq = t * inv_q
        fr = kq * ii
        fi = -kq * ir
        cr = br * rr + bi * ri  # b conj(r)
        ci = bi * rr - br * ri
        sb += bb
        sber += bb * er
        sbfr += bb * fr
        sbei += bb * ei
        sbfi += bb * fi
        sbe2 += bb * (er * er + ei * ei)
        sbf2 += bb * (fr * fr + fi * fi)
        sbef += bb * (er * fr + ei * fi)
        g0 += cr
        g1 += er * cr - ei * ci
        g2 += fr * cr - fi * ci
        g3 += ci
    t = a * a
    H[0] = sb
    H[1] = a * sber
    H[2] = a * sbfr
    H[3] = 0.0
    H[4] = t * sbe2
    H[5] = t * sbef
    H[6] = t * sbei
    H[7] = t * sbf2
    H[8] = t * sbfi
    H[9] = t * sb
    g[0] = g0
    g[1] = a * g1
    g[2] = a * g2
    g[3] = -a * g3
    return 0.5 * F


cdef double _cost(const double* x, const double* w, int m, double inv_s,
                  const double* p) noexcept nogil:
    """Half the sum of squared residuals at p (no derivatives)."""
    cdef double c = cos(p[3]), s = sin(p[3]), u2 = p[1] * p[1]
    cdef double F = 0.0, wk, dr, di, den, rr, ri
    cdef int k
    for k in range(m):
        wk = w[k]
        dr = wk * wk - u2
        di = -wk * p[1] / p[2]
        den = p[0] * u2 / (dr * dr + di * di)
        rr = den * (c * dr + s * di) - x[2 * k] * inv_s
        ri = den * (s * dr - c * di) - x[2 * k + 1] * inv_s
        F += rr * rr + ri * ri
    return 0.5 * F


cdef void _phase_amplitude(const double* x, const double* w, int k, double inv_s, double* p)\
        noexcept nogil:
    """Set p[0] (a) and p[3] (phi) so the model with p[1], p[2] passes through x[k]."""
    cdef double wk = w[k], u2 = p[1] * p[1]
    cdef double dr = wk * wk - u2, di = -wk * p[1] / p[2]
    cdef double den = u2 / sqrt(dr * dr + di * di)  # |u^2 / D|
    cdef double xr = x[2 * k] * inv_s, xi = x[2 * k + 1] * inv_s
    p[0] = sqrt(xr * xr + xi * xi) / den
    p[3] = atan2(xi, xr) + atan2(di, dr)  # arg x - arg(1/D)


cdef int _guess_peak(const double* x, const double* w, int m, double inv_s, double w_lo,
                     double w_hi, double* p) noexcept nogil:
    """Peak of |x| (parabolic vertex) for w0, full width at half maximum for Q, the complex
    value at the peak bin for A and phi. For an SHO the half-maximum of |m| lies
    sqrt(3) w0 / Q apart (to first order in 1/Q)."""
    cdef int k, kmax = 0, j
    cdef double v, vmax = -1.0, y0, y1, y2, w0_, w1_, w2_, num, dnm, u0, half
    cdef double left = NAN, right = NAN, fwhm, ya, yb
    for k in range(m):
        v = x[2 * k] * x[2 * k] + x[2 * k + 1] * x[2 * k + 1]
        if v > vmax:
            vmax = v
            kmax = k
    vmax = sqrt(vmax)
    u0 = w[kmax]
    if 0 < kmax < m - 1:
        y0 = sqrt(x[2 * kmax - 2] ** 2 + x[2 * kmax - 1] ** 2)
        y1 = vmax
        y2 = sqrt(x[2 * kmax + 2] ** 2 + x[2 * kmax + 3] ** 2)
        w0_ = w[kmax - 1]
        w1_ = w[kmax]
        w2_ = w[kmax + 1]
        num = (w1_ - w0_) ** 2 * (y1 - y2) - (w1_ - w2_) ** 2 * (y1 - y0)
        dnm = (w1_ - w0_) * (y1 - y2) - (w1_ - w2_) * (y1 - y0)
        if dnm != 0.0:
            u0 = clip(w1_ - 0.5 * num / dnm, min(w0_, w2_), max(w0_, w2_))
    half = 0.5 * vmax
    j = kmax
    while j > 0:
        ya = sqrt(x[2 * j - 2] ** 2 + x[2 * j - 1] ** 2)
        if ya < half:
            yb = sqrt(x[2 * j] ** 2 + x[2 * j + 1] ** 2)
            left = w[j - 1] + (w[j] - w[j - 1]) * (half - ya) / (yb - ya)
            break
        j -= 1
    j = kmax
    while j < m - 1:
        yb = sqrt(x[2 * j + 2] ** 2 + x[2 * j + 3] ** 2)
        if yb < half:
            ya = sqrt(x[2 * j] ** 2 + x[2 * j + 1] ** 2)
            right = w[j] + (w[j + 1] - w[j]) * (ya - half) / (ya - yb)
            break
        j += 1
    if isfinite(left) and isfinite(right):
        fwhm = fabs(right - left)
    elif isfinite(left):
        fwhm = 2.0 * fabs(u0 - left)
    elif isfinite(right):
        fwhm = 2.0 * fabs(right - u0)
    else:
        fwhm = w_hi - w_lo
    if not (fwhm > 0.0):
        fwhm = fabs(w[1] - w[0])
    p[1] = u0
    p[2] = _SQRT3 * u0 / fwhm
    return kmax


cdef int _guess_algebraic(const double* x, const double* w, int m, double inv_s,
                          double* p) noexcept nogil:
    """Linear least squares on x (w^2 - w0^2 - i w w0/Q) = K (exact for noise-free data):
    x w^2 = K + w0^2 x + (w0/Q) i w x, unknowns Re K, Im K, w0^2, w0/Q. 0 when unusable."""
    cdef double M[16]
    cdef double b[4]
    cdef double r1[4]
    cdef double r2[4]
    cdef double xr, xi, wk, t1, t2, w0sq, rq, kr, ki
    cdef int k, i, j
    for i in range(16):
        M[i] = 0.0
    for i in range(4):
        b[i] = 0.0
    for k in range(m):
        wk = w[k]
        xr = x[2 * k] * inv_s
        xi = x[2 * k + 1] * inv_s
        r1[0] = 1.0
        r1[1] = 0.0
        r1[2] = xr
        r1[3] = -wk * xi
        r2[0] = 0.0
        r2[1] = 1.0
        r2[2] = xi
        r2[3] = wk * xr
        t1 = xr * wk * wk
        t2 = xi * wk * wk
        for i in range(4):
            b[i] += r1[i] * t1 + r2[i] * t2
            for j in range(i, 4):
                M[i * 4 + j] += r1[i] * r1[j] + r2[i] * r2[j]
    for i in range(4):
        for j in range(i):
            M[i * 4 + j] = M[j * 4 + i]
    if not solve_spd(M, b, 4):
        return 0
    kr = b[0]
    ki = b[1]
    w0sq = b[2]
    rq = b[3]
    if not (w0sq > 0.0 and rq > 0.0 and isfinite(w0sq) and isfinite(rq)):
        return 0
    p[1] = sqrt(w0sq)
    p[2] = p[1] / rq
    p[0] = sqrt(kr * kr + ki * ki) / w0sq
    p[3] = atan2(ki, kr)
    return 1


cdef int _fit_one(const double* x, const double* w, int m, double w_scale, const Options* o,
                  double* guess, double* fit) noexcept nogil:
    """Guess and fit one spectrum; writes (A, w0, Q, phi, R2) in physical units to guess and
    fit, and returns a status code."""
    cdef double p[4]
    cdef double pt[4]
    cdef double lo[4]
    cdef double hi[4]
    cdef double H[10]
    cdef double g[4]
    cdef double Ht[10]
    cdef double gt[4]
    cdef double D[4]
    cdef double M[16]
    cdef double z[4]
    cdef double step[4]
    cdef int free_idx[4]
    cdef double v, scale = 0.0, inv_s, mr, mi, ss_tot, F, Ft, pred, rho, gnorm, tol, t
    cdef double w_lo = INFINITY, w_hi = -INFINITY, mu, nu
    cdef int k, i, j, nf, status, evals, kpk, accepted, small
    for i in range(5):
        guess[i] = NAN
        fit[i] = NAN
    for k in range(2 * m):
        if not isfinite(x[k]):
            return NON_FINITE
    if m < _MIN_POINTS:
        return TOO_FEW_POINTS
    for k in range(m):
        v = x[2 * k] * x[2 * k] + x[2 * k + 1] * x[2 * k + 1]
        if v > scale:
            scale = v
        if w[k] < w_lo:
            w_lo = w[k]
        if w[k] > w_hi:
            w_hi = w[k]
    scale = sqrt(scale)
    if not (scale > 0.0):
        guess[4] = 0.0
        fit[4] = 0.0
        return NO_SIGNAL
    inv_s = 1.0 / scale
    # total sum of squares about the complex mean (BGlib's R2 denominator)
    mr = 0.0
    mi = 0.0
    for k in range(m):
        mr += x[2 * k]
        mi += x[2 * k + 1]
    mr /= m
    mi /= m
    ss_tot = 0.0
    for k in range(m):
        ss_tot += (x[2 * k] - mr) ** 2 + (x[2 * k + 1] - mi) ** 2
    ss_tot *= inv_s * inv_s

    lo[0] = 0.0
    hi[0] = INFINITY
    lo[1] = w_lo
    hi[1] = w_hi
    lo[2] = o.q_min
    hi[2] = o.q_max
    lo[3] = -INFINITY
    hi[3] = INFINITY

    if o.guess == GUESS_ALGEBRAIC and _guess_algebraic(x, w, m, inv_s, p) \
            and lo[1] <= p[1] <= hi[1]:
        p[2] = clip(p[2], lo[2], hi[2])
    else:
        kpk = _guess_peak(x, w, m, inv_s, w_lo, w_hi, p)
        p[1] = clip(p[1], lo[1], hi[1])
        p[2] = clip(p[2], lo[2], hi[2])
        _phase_amplitude(x, w, kpk, inv_s, p)
    p[3] = _wrap(p[3])
    F = _evaluate(x, w, m, inv_s, p, H, g)
    guess[0] = p[0] * scale
    guess[1] = p[1] * w_scale
    guess[2] = p[2]
    guess[3] = p[3]
    guess[4] = 1.0 - 2.0 * F / ss_tot if ss_tot > 0.0 else 0.0
    if not isfinite(F):
        return FAILED

    for i in range(4):
        D[i] = H[packed(i, i, 4)]
    mu = 1e-3
    nu = 2.0
    status = MAX_ITER
    evals = 0
    while evals < o.max_iter:
        if F == 0.0:
            status = CONVERGED
            break
        # free variables: not held at a bound by a gradient pointing out of the box
        nf = free_variables(p, g, lo, hi, H, 4, F, free_idx, &gnorm)  # A = 0 frees none
        if nf == 0 or gnorm <= o.gtol:
            status = CONVERGED
            break
        for i in range(4):
            t = H[packed(i, i, 4)]
            if t > D[i]:
                D[i] = t
        accepted = 0
        small = 0
        while evals < o.max_iter:
            damped_system(H, g, D, mu, free_idx, nf, 4, M, z)
            if not solve_spd(M, z, nf):
                raise_damping(&mu, &nu)
                if mu > _MU_MAX:
                    break
                continue
            for i in range(4):
                pt[i] = p[i]
            for i in range(nf):
                j = free_idx[i]
                pt[j] = clip(p[j] + z[i], lo[j], hi[j])
            if not (pt[1] > 0.0 and pt[2] > 0.0):  # only with non-positive bounds
                raise_damping(&mu, &nu)
                if mu > _MU_MAX:
                    break
                continue
            pred = 0.0
            small = 1
            for i in range(4):
                step[i] = pt[i] - p[i]
                pred -= g[i] * step[i]
                for j in range(4):
                    pred -= 0.5 * step[i] * H[packed(i, j, 4)] * step[j]
                if fabs(step[i]) > o.xtol * (fabs(p[i]) + (1.0 if i == 3 else o.xtol)):
                    small = 0
            if small:  # the step asked for is below tolerance: p is the answer already
                break
            evals += 1
            Ft = _evaluate(x, w, m, inv_s, pt, Ht, gt)
            if judge_step(F, Ft, pred, &mu, &nu):
                accepted = 1
                break
            if mu > _MU_MAX:
                break
        if not accepted:
            if small or mu > _MU_MAX:
                # a step below tolerance, or no step lowers the cost: a minimum to rounding
                status = CONVERGED
            break
        small = 1
        for i in range(4):
            tol = o.xtol * (fabs(p[i]) + (1.0 if i == 3 else o.xtol))
            if fabs(step[i]) > tol:
                small = 0
        t = F - Ft
        if t <= o.ftol * F and pred <= o.ftol * F:
            small = 1
        for i in range(4):
            p[i] = pt[i]
            g[i] = gt[i]
        for i in range(10):
            H[i] = Ht[i]
        F = Ft
        if small:
            status = CONVERGED
            break
    if status == CONVERGED:
        for i in range(3):
            if p[i] <= lo[i] or p[i] >= hi[i]:
                status = AT_BOUND
    fit[0] = p[0] * scale
    fit[1] = p[1] * w_scale
    fit[2] = p[2]
    fit[3] = _wrap(p[3])
    fit[4] = 1.0 - 2.0 * F / ss_tot if ss_tot > 0.0 else 0.0
    for i in range(5):
        if not isfinite(fit[i]):
            return FAILED
    return status


def fit_block(const double[:, ::1] spectra, const double[::1] freq, double q_min, double q_max,
              int max_iter, double ftol, double xtol, double gtol, int guess_method,
              double[:, ::1] guess, double[:, ::1] fit, unsigned char[::1] status):
    """Fit every row of ``spectra`` (n, 2m): complex128 spectra viewed as interleaved float64.

    ``freq`` (m,) in Hz; ``guess`` and ``fit`` (n, 5) receive A, w0 [Hz], Q, phi [rad], R2;
    ``status`` (n,) the codes of status.py. The GIL is released for the whole loop.
    """
    cdef Py_ssize_t n = spectra.shape[0], i
    cdef int m = <int>freq.shape[0]
    cdef Options o
    cdef double w_scale = 0.0
    if spectra.shape[1] != 2 * m:
        raise ValueError("spectra must have twice as many columns as there are frequencies")
    if guess.shape[0] != n or fit.shape[0] != n or status.shape[0] != n \
            or guess.shape[1] != 5 or fit.shape[1] != 5:
        raise ValueError("output arrays have the wrong shape")
    for i in range(m):
        if fabs(freq[i]) > w_scale:
            w_scale = fabs(freq[i])
    if not (w_scale > 0.0) or not isfinite(w_scale):
        w_scale = 1.0
    cdef double[::1] wn = np.asarray(freq, dtype=np.float64) / w_scale
    if m < 1:
        status[:] = TOO_FEW_POINTS
        guess[:, :] = NAN
        fit[:, :] = NAN
        return
    o.q_min = q_min
    o.q_max = q_max
    o.ftol = ftol
    o.xtol = xtol
    o.gtol = gtol
    o.max_iter = max_iter
    o.guess = guess_method
    with nogil:
        for i in range(n):
            status[i] = <unsigned char>_fit_one(&spectra[i, 0], &wn[0], m, w_scale, &o,
                                                &guess[i, 0], &fit[i, 0])
