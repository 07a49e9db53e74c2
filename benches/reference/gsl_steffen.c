/* Evaluates GSL's own Steffen interpolant (gsl_interp_steffen), the oracle for
 * touchline-impute's Steffen. Reads from stdin: n, then n knot times, n knot values,
 * then m, then m query times; prints m values (%.17g), one a line.
 * Build: gcc -O2 -o gsl_steffen benches/reference/gsl_steffen.c -lgsl -lgslcblas -lm
 * Used by benches/python/make_steffen_gsl_fixture.py. */
#include <stdio.h>
#include <stdlib.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_interp.h>

int main(void) {
    size_t n, m;
    if (scanf("%zu", &n) != 1 || n < 3) return 2;
    double *t = malloc(n * sizeof *t), *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++) if (scanf("%lf", &t[i]) != 1) return 2;
    for (size_t i = 0; i < n; i++) if (scanf("%lf", &y[i]) != 1) return 2;
    if (scanf("%zu", &m) != 1) return 2;
    gsl_interp *it = gsl_interp_alloc(gsl_interp_steffen, n);
    gsl_interp_accel *acc = gsl_interp_accel_alloc();
    if (gsl_interp_init(it, t, y, n) != GSL_SUCCESS) return 3;
    for (size_t j = 0; j < m; j++) {
        double x, v;
        if (scanf("%lf", &x) != 1) return 2;
        if (gsl_interp_eval_e(it, t, y, x, acc, &v) != GSL_SUCCESS) return 4;
        printf("%.17g\n", v);
    }
    gsl_interp_accel_free(acc);
    gsl_interp_free(it);
    free(t);
    free(y);
    return 0;
}
