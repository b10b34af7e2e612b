#include "core/similarity.h"

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
    Eigen::MatrixXd unit = unit_rows(rows).cast<double>();
    double all_pairs = unit.colwise().sum().squaredNorm();
    double self_pairs = unit.rowwise().squaredNorm().sum();
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
