/* The Wilson score interval of a proportion: the rates' 95% confidence intervals. */
#include <math.h>

#include "ij/domain_stats.h"

bool ij_wilson_interval(int64_t k, int64_t n, ij_interval *out) {
  if (n <= 0 || k < 0 || k > n)
    return false;
  const double z = IJ_INTERVAL_Z95, z2 = z * z;
  double nn = (double)n, p = (double)k / nn;
  double denominator = 1.0 + z2 / nn;
  double centre = (p + z2 / (2.0 * nn)) / denominator;
  double half = z * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / denominator;
  /* at k = 0 (k = n) the lower (upper) end is exactly 0 (1): rounding must not move it */
  out->low = k == 0 ? 0.0 : fmax(0.0, centre - half);
  out->high = k == n ? 1.0 : fmin(1.0, centre + half);
  return true;
}
