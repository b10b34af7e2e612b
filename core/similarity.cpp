#include "core/similarity.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace pb {
namespace {

RowMatrix unit_rows(const Eigen::Ref<const RowMatrix>& rows) {
    Eigen::VectorXf norms = rows.rowwise().norm().cwiseMax(1e-12f);
    return norms.cwiseInverse().asDiagonal() * rows;
}

}  // namespace

double mean_pairwise_cosine(const Eigen::Ref<const RowMatrix>& rows) {
    const Eigen::Index n = rows.rows();
    if (n < 2) return 1.0;
    // One pass over the rows, no n x H temporaries: it runs after every layer of every forward.
    const Eigen::Index h = rows.cols();
    std::vector<double> column_sums(h, 0.0);
    double self_pairs = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
        const float squared = rows.row(i).squaredNorm();
        const float inverse = 1.0f / std::max(std::sqrt(squared), 1e-12f);
        const float* row = rows.row(i).data();
        for (Eigen::Index k = 0; k < h; ++k) column_sums[k] += double(row[k] * inverse);
        self_pairs += double(squared) * inverse * inverse;
    }
    double all_pairs = 0;
    for (double sum : column_sums) all_pairs += sum * sum;
    return (all_pairs - self_pairs) / double(n * (n - 1));
}

FloatMatrix pairwise_cosine(const Eigen::Ref<const RowMatrix>& rows) {
    RowMatrix unit = unit_rows(rows);
    RowMatrix gram = unit * unit.transpose();
    FloatMatrix out{static_cast<int>(gram.rows()), static_cast<int>(gram.cols()), {}};
    out.values.assign(gram.data(), gram.data() + gram.size());
    return out;
}

}  // namespace pb
