# cython: language_level=3
"""Pieces of bounded Levenberg-Marquardt shared by the compiled fits (SHO, loops).

Inline, so each kernel compiles them into its own loop: the same arithmetic as writing them
out, with one copy of the source. Matrices are row-major; symmetric ones are stored as their
packed upper triangle.
"""

from libc.math cimport fabs, sqrt


cdef inline double clip(double v, double lo, double hi) noexcept nogil:
    """v kept within [lo, hi]."""
    if v < lo:
        return lo
    if v > hi:
        return hi
    return v


cdef inline int packed(int i, int j, int n) noexcept nogil:
    """Position of A[i, j] in the packed upper triangle of a symmetric n x n matrix."""
    cdef int t
    if i > j:
        t = i
        i = j
        j = t
    return i * n - (i * (i - 1)) // 2 + (j - i)


cdef inline int solve_spd(double* M, double* b, int n) noexcept nogil:
    """Solve M z = b in place (b becomes z) by Cholesky; M is n x n row-major. 0 on failure."""
    cdef int i, j, k
    cdef double acc
    for j in range(n):
        acc = M[j * n + j]
        for k in range(j):
            acc -= M[j * n + k] * M[j * n + k]
        if not (acc > 0.0):
            return 0
        M[j * n + j] = sqrt(acc)
        for i in range(j + 1, n):
            acc = M[i * n + j]
            for k in range(j):
                acc -= M[i * n + k] * M[j * n + k]
            M[i * n + j] = acc / M[j * n + j]
    for i in range(n):
        acc = b[i]
        for k in range(i):
            acc -= M[i * n + k] * b[k]
        b[i] = acc / M[i * n + i]
    for i in range(n - 1, -1, -1):
        acc = b[i]
        for k in range(i + 1, n):
            acc -= M[k * n + i] * b[k]
        b[i] = acc / M[i * n + i]
    return 1


cdef inline int free_variables(const double* p, const double* g, const double* lo,
                               const double* hi, const double* H, int n, double F,
                               int* free_idx, double* gnorm) noexcept nogil:
    """The variables a step may move: not held at a bound by a gradient pointing out of the
    box, and ones the model depends on here (a non-zero diagonal of J^T J). Also sets gnorm,
    the largest cosine between a free column of J and the residual."""
    cdef int i, nf = 0
    cdef double t
    gnorm[0] = 0.0
    for i in range(n):
        if (p[i] <= lo[i] and g[i] > 0.0) or (p[i] >= hi[i] and g[i] < 0.0):
            continue
        t = H[packed(i, i, n)]
        if not (t > 0.0):
            continue
        free_idx[nf] = i
        nf += 1
        t = fabs(g[i]) / sqrt(t * 2.0 * F)
        if t > gnorm[0]:
            gnorm[0] = t
    return nf


cdef inline void damped_system(const double* H, const double* g, const double* D, double mu,
                               const int* free_idx, int nf, int n, double* M,
                               double* z) noexcept nogil:
    """(J^T J + mu D) restricted to the free variables, and -J^T r, for the step's solve."""
    cdef int i, j
    for i in range(nf):
        for j in range(nf):
            M[i * nf + j] = H[packed(free_idx[i], free_idx[j], n)]
        M[i * nf + i] += mu * D[free_idx[i]]
        z[i] = -g[free_idx[i]]


cdef inline void raise_damping(double* mu, double* nu) noexcept nogil:
    """After a failed step: damp harder, faster each time in a row (Nielsen's rule)."""
    mu[0] *= nu[0]
    nu[0] *= 2.0


cdef inline int judge_step(double F, double Ft, double pred, double* mu,
                           double* nu) noexcept nogil:
    """Accept a trial step that lowers the cost (1), relaxing the damping by the gain ratio
    (Nielsen's rule), or reject it (0) and raise the damping."""
    cdef double rho, t
    if Ft < F and pred > 0.0:
        rho = (F - Ft) / pred
        t = 2.0 * rho - 1.0
        t = 1.0 - t * t * t
        mu[0] *= t if t > 1.0 / 3.0 else 1.0 / 3.0
        nu[0] = 2.0
        return 1
    raise_damping(mu, nu)
    return 0
