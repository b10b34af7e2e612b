#include "core/information.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <string_view>

namespace pb {
namespace {

constexpr double kSumTolerance = 1e-4;

// Returns the sum, which callers divide by so that slightly-off inputs behave as normalised ones.
double check_distribution(std::string_view what, std::span<const double> p) {
    if (p.empty()) throw Error(std::string(what) + ": empty probability distribution");
    double sum = 0;
    for (size_t i = 0; i < p.size(); ++i) {
        if (!std::isfinite(p[i]) || p[i] < 0)
            throw Error(std::string(what) + ": probability at index " + std::to_string(i) + " is " +
                        std::to_string(p[i]) + ", not a finite number >= 0");
        sum += p[i];
    }
    if (std::abs(sum - 1.0) > kSumTolerance)
        throw Error(std::string(what) + ": probabilities sum to " + std::to_string(sum) + ", not 1");
    return sum;
}

void check_labels(std::string_view what, std::span<const int> x, std::span<const int> y, int num_classes) {
    if (num_classes < 1) throw Error(std::string(what) + ": num_classes is " + std::to_string(num_classes) + ", must be >= 1");
    if (x.size() != y.size())
        throw Error(std::string(what) + ": x has " + std::to_string(x.size()) + " values but y has " +
                    std::to_string(y.size()));
    if (x.empty()) throw Error(std::string(what) + ": no values");
    auto check = [&](std::string_view side, std::span<const int> v) {
        for (size_t i = 0; i < v.size(); ++i)
            if (v[i] < 0 || v[i] >= num_classes)
                throw Error(std::string(what) + ": " + std::string(side) + "[" + std::to_string(i) + "] = " +
                            std::to_string(v[i]) + " is outside 0.." + std::to_string(num_classes - 1));
    };
    check("x", x);
    check("y", y);
}

// Entropy in bits of a histogram with total `n`.
double entropy_of_counts(const std::vector<double>& counts, double n) {
    double h = 0;
    for (double c : counts)
        if (c > 0) h -= (c / n) * std::log2(c / n);
    return h;
}

struct Marginals {
    std::vector<double> x, y;
};

Marginals marginals_of(const std::vector<std::vector<int>>& joint) {
    Marginals m{std::vector<double>(joint.size(), 0.0), std::vector<double>(joint.size(), 0.0)};
    for (size_t a = 0; a < joint.size(); ++a)
        for (size_t b = 0; b < joint.size(); ++b) {
            m.x[a] += joint[a][b];
            m.y[b] += joint[a][b];
        }
    return m;
}

double mutual_information_of(const std::vector<std::vector<int>>& joint, const Marginals& m, double n) {
    double mi = 0;
    for (size_t a = 0; a < joint.size(); ++a)
        for (size_t b = 0; b < joint.size(); ++b)
            if (joint[a][b] > 0) {
                // p(x,y) / (p(x) p(y)) written with counts: c n / (cx cy).
                double c = joint[a][b];
                mi += (c / n) * std::log2(c * n / (m.x[a] * m.y[b]));
            }
    // Rounding can leave a tiny negative value for independent variables; MI is never negative.
    return std::max(mi, 0.0);
}

}  // namespace

double entropy_bits(std::span<const double> probabilities) {
    const double sum = check_distribution("entropy", probabilities);
    double h = 0;
    for (double p : probabilities)
        if (p > 0) h -= (p / sum) * std::log2(p / sum);
    return std::max(h, 0.0);
}

std::vector<std::vector<int>> confusion_matrix(std::span<const int> x, std::span<const int> y, int num_classes) {
    check_labels("confusion_matrix", x, y, num_classes);
    std::vector<std::vector<int>> counts(num_classes, std::vector<int>(num_classes, 0));
    for (size_t i = 0; i < x.size(); ++i) ++counts[x[i]][y[i]];
    return counts;
}

double mutual_information_bits(std::span<const int> x, std::span<const int> y, int num_classes) {
    check_labels("mutual_information", x, y, num_classes);
    auto joint = confusion_matrix(x, y, num_classes);
    return mutual_information_of(joint, marginals_of(joint), static_cast<double>(x.size()));
}

double normalized_mutual_information(std::span<const int> x, std::span<const int> y, int num_classes) {
    check_labels("normalized_mutual_information", x, y, num_classes);
    auto joint = confusion_matrix(x, y, num_classes);
    const auto m = marginals_of(joint);
    const double n = static_cast<double>(x.size());
    const double hx = entropy_of_counts(m.x, n), hy = entropy_of_counts(m.y, n);
    // Entropy of a constant is exactly 0 here: its one non-zero count is n, and log2(1) == 0.
    if (hx == 0 && hy == 0) return 1.0;
    if (hx == 0 || hy == 0) return 0.0;
    return std::clamp(mutual_information_of(joint, m, n) / std::sqrt(hx * hy), 0.0, 1.0);
}

double kl_divergence(std::span<const double> p, std::span<const double> q) {
    if (p.size() != q.size())
        throw Error("kl_divergence: p has " + std::to_string(p.size()) + " values but q has " +
                    std::to_string(q.size()));
    const double sp = check_distribution("kl_divergence (p)", p);
    const double sq = check_distribution("kl_divergence (q)", q);
    double kl = 0;
    for (size_t i = 0; i < p.size(); ++i) {
        const double pi = p[i] / sp;
        if (pi > 0) kl += pi * std::log(pi / std::max(q[i] / sq, kKlEpsilon));
    }
    return std::max(kl, 0.0);
}

}  // namespace pb
