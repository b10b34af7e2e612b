#pragma once
// Information measures used to analyse what a model's layers and predictions carry (e.g. how
// much a prediction tells about the gold label, or how far a distribution moved).
//
// Every function throws pb::Error on empty input, inputs of different lengths, class indices
// outside 0..num_classes-1, or probabilities that are negative, not finite or do not sum to 1.
#include <span>
#include <vector>

namespace pb {

// Shannon entropy in bits; 0 log 0 counts as 0. The probabilities must sum to 1 within 1e-4
// (float softmax outputs do not sum exactly to 1); they are divided by their sum before use.
double entropy_bits(std::span<const double> probabilities);

// From the joint histogram of the pairs (x[i], y[i]):
// MI = sum p(x,y) log2(p(x,y) / (p(x) p(y))), in bits.
double mutual_information_bits(std::span<const int> x, std::span<const int> y, int num_classes);

// MI / sqrt(H(X) H(Y)), in [0, 1]. Like sklearn's normalized_mutual_info_score (geometric mean),
// it depends only on how x and y group the examples, not on which index names a group, so:
//   - both x and y constant: 1 (both put every example in one group: the same grouping, even
//     if the two constants differ);
//   - exactly one of them constant: 0 (a constant tells nothing about the other);
//   - otherwise the formula, clamped to [0, 1] against rounding.
double normalized_mutual_information(std::span<const int> x, std::span<const int> y, int num_classes);

// KL(p || q) in nats. Terms with p_i = 0 are 0. Where q_i = 0 but p_i > 0 the true value is
// infinite; q_i is floored at kKlEpsilon instead, so the result stays finite (each such term
// adds at most p_i ln(p_i / 1e-12) ~ 27.6 p_i nats) and averages over many examples remain
// usable. Both must be probability distributions as for entropy_bits.
inline constexpr double kKlEpsilon = 1e-12;
double kl_divergence(std::span<const double> p, std::span<const double> q);

// counts[a][b] = number of i with x[i] == a and y[i] == b; num_classes x num_classes.
std::vector<std::vector<int>> confusion_matrix(std::span<const int> x, std::span<const int> y, int num_classes);

}  // namespace pb
