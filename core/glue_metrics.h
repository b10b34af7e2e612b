#pragma once
// The scores GLUE reports, computed the way GLUE (and sklearn/scipy, which its scripts use)
// define them, so numbers shown by the tool can be compared with published ones.
//
// Every function throws pb::Error when the inputs are empty, differ in length, or hold a class
// index below 0 (or, where the number of classes is known, too large) or a non-finite value.
#include "core/glue_dataset.h"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pb {

struct MetricValue {
    std::string name;  // "mcc", "f1", "accuracy", "pearson", "spearman"
    double value;
};

double accuracy(std::span<const int> predicted, std::span<const int> gold);
// F1 of the class `positive`; every other class counts as negative. 0 when there is no true
// positive (this includes the undefined 0/0 case, as sklearn's zero_division default does).
double f1_binary(std::span<const int> predicted, std::span<const int> gold, int positive = 1);
// Gorodkin's multi-class generalisation (equal to the usual formula for two classes);
// 0 when undefined, i.e. when either side is constant (as sklearn).
double matthews_correlation(std::span<const int> predicted, std::span<const int> gold);
// Both need at least 2 pairs. 0 when undefined (either side constant): a constant prediction,
// common early in training, then scores as "no correlation" instead of poisoning averages with NaN.
double pearson(std::span<const double> x, std::span<const double> y);
// Pearson of the ranks, tied values sharing their average rank (scipy.stats.spearmanr).
double spearman(std::span<const double> x, std::span<const double> y);

// All metrics GLUE reports for `task`, the main one first: CoLA mcc; MRPC/QQP f1, accuracy;
// STS-B spearman, pearson (the PoWER-BERT paper reports Spearman); accuracy otherwise.
// Classification predictions and gold labels are class indices stored as doubles and must be
// whole numbers within the task's classes (Generic: any index >= 0).
std::vector<MetricValue> glue_metrics(GlueTask task, std::span<const double> predictions,
                                      std::span<const double> gold);
std::string_view main_metric_name(GlueTask task);

}  // namespace pb
