#pragma once
// Gradient checks against central finite differences.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <vector>

// Relative error of an analytic gradient against central differences of f over every entry of
// `x` (perturbed in place): max |a - n| / max(|a|, |n|, floor).
inline double check_entries(double* x, size_t count, const std::vector<double>& analytic, const std::function<double()>& f,
                            double floor = 1e-6, double h = 1e-6) {
    double worst = 0;
    for (size_t i = 0; i < count; ++i) {
        const double saved = x[i];
        x[i] = saved + h;
        const double up = f();
        x[i] = saved - h;
        const double down = f();
        x[i] = saved;
        const double numeric = (up - down) / (2 * h);
        const double scale = std::max({std::abs(analytic[i]), std::abs(numeric), floor});
        worst = std::max(worst, std::abs(analytic[i] - numeric) / scale);
    }
    return worst;
}
