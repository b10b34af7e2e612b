#include "core/glue_metrics.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

namespace pb {
namespace {

template <typename T>
void check_pairs(std::string_view what, std::span<const T> a, std::span<const T> b, size_t min_size = 1) {
    if (a.size() != b.size())
        throw Error(std::string(what) + ": " + std::to_string(a.size()) + " predictions but " +
                    std::to_string(b.size()) + " gold values");
    if (a.size() < min_size)
        throw Error(std::string(what) + ": needs at least " + std::to_string(min_size) + " pairs, got " +
                    std::to_string(a.size()));
}

// `limit` <= 0 means the number of classes is not known, so only negatives are rejected.
void check_labels(std::string_view what, std::string_view side, std::span<const int> labels, int limit = 0) {
    for (size_t i = 0; i < labels.size(); ++i)
        if (labels[i] < 0 || (limit > 0 && labels[i] >= limit))
            throw Error(std::string(what) + ": " + std::string(side) + " label " + std::to_string(labels[i]) +
                        " at index " + std::to_string(i) + " is not a class index" +
                        (limit > 0 ? " from 0 to " + std::to_string(limit - 1) : std::string(" (must be >= 0)")));
}

void check_finite(std::string_view what, std::span<const double> values) {
    for (size_t i = 0; i < values.size(); ++i)
        if (!std::isfinite(values[i]))
            throw Error(std::string(what) + ": value at index " + std::to_string(i) + " is not a finite number");
}

void check_classification(std::string_view what, std::span<const int> predicted, std::span<const int> gold) {
    check_pairs(what, predicted, gold);
    check_labels(what, "predicted", predicted);
    check_labels(what, "gold", gold);
}

// Ranks from 1, ties sharing the mean of the ranks they span.
std::vector<double> average_ranks(std::span<const double> values) {
    std::vector<size_t> order(values.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
    std::vector<double> ranks(values.size());
    for (size_t start = 0; start < order.size();) {
        size_t end = start + 1;
        while (end < order.size() && values[order[end]] == values[order[start]]) ++end;
        double mean_rank = (static_cast<double>(start + 1) + static_cast<double>(end)) / 2.0;
        for (size_t k = start; k < end; ++k) ranks[order[k]] = mean_rank;
        start = end;
    }
    return ranks;
}

int num_classes_of(GlueTask task) {
    switch (task) {
        case GlueTask::MNLI: return 3;
        case GlueTask::STSB: return 1;
        case GlueTask::Generic: return 0;
        default: return 2;
    }
}

std::vector<int> to_class_indices(std::string_view side, std::span<const double> values, GlueTask task) {
    std::vector<int> out(values.size());
    const int limit = num_classes_of(task);
    for (size_t i = 0; i < values.size(); ++i) {
        double v = values[i];
        if (!std::isfinite(v) || v != std::floor(v) || v < 0 || (limit > 0 && v >= limit) || v > 1e9)
            throw Error(std::string(glue_task_name(task)) + " metrics: " + std::string(side) + " value " +
                        std::to_string(v) + " at index " + std::to_string(i) + " is not a class index" +
                        (limit > 0 ? " from 0 to " + std::to_string(limit - 1) : std::string()));
        out[i] = static_cast<int>(v);
    }
    return out;
}

}  // namespace

double accuracy(std::span<const int> predicted, std::span<const int> gold) {
    check_classification("accuracy", predicted, gold);
    size_t correct = 0;
    for (size_t i = 0; i < gold.size(); ++i) correct += predicted[i] == gold[i];
    return static_cast<double>(correct) / static_cast<double>(gold.size());
}

double f1_binary(std::span<const int> predicted, std::span<const int> gold, int positive) {
    check_classification("f1", predicted, gold);
    size_t tp = 0, fp = 0, fn = 0;
    for (size_t i = 0; i < gold.size(); ++i) {
        bool p = predicted[i] == positive, g = gold[i] == positive;
        tp += p && g;
        fp += p && !g;
        fn += !p && g;
    }
    if (tp == 0) return 0.0;
    return 2.0 * static_cast<double>(tp) / static_cast<double>(2 * tp + fp + fn);
}

double matthews_correlation(std::span<const int> predicted, std::span<const int> gold) {
    check_classification("matthews_correlation", predicted, gold);
    // Gorodkin (2004) in sklearn's form: covariances from the per-class totals. A map keeps
    // memory proportional to the classes present, whatever their index values.
    std::map<int, std::pair<double, double>> totals;  // class -> (gold count, predicted count)
    double correct = 0;
    for (size_t i = 0; i < gold.size(); ++i) {
        totals[gold[i]].first += 1;
        totals[predicted[i]].second += 1;
        correct += predicted[i] == gold[i];
    }
    const double s = static_cast<double>(gold.size());
    double tp_sum = 0, pp_sum = 0, tt_sum = 0;
    for (const auto& entry : totals) {
        const double t = entry.second.first, p = entry.second.second;
        tp_sum += t * p;
        pp_sum += p * p;
        tt_sum += t * t;
    }
    const double cov_tp = correct * s - tp_sum, cov_pp = s * s - pp_sum, cov_tt = s * s - tt_sum;
    if (cov_pp == 0 || cov_tt == 0) return 0.0;
    return cov_tp / std::sqrt(cov_pp * cov_tt);
}

double pearson(std::span<const double> x, std::span<const double> y) {
    check_pairs("pearson", x, y, 2);
    check_finite("pearson", x);
    check_finite("pearson", y);
    const double n = static_cast<double>(x.size());
    const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
    const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    if (sxx == 0 || syy == 0) return 0.0;
    return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

double spearman(std::span<const double> x, std::span<const double> y) {
    check_pairs("spearman", x, y, 2);
    check_finite("spearman", x);
    check_finite("spearman", y);
    auto rx = average_ranks(x), ry = average_ranks(y);
    return pearson(rx, ry);
}

std::vector<MetricValue> glue_metrics(GlueTask task, std::span<const double> predictions,
                                      std::span<const double> gold) {
    const std::string what = std::string(glue_task_name(task)) + " metrics";
    check_pairs(what, predictions, gold);
    if (task == GlueTask::STSB) return {{"spearman", spearman(predictions, gold)}, {"pearson", pearson(predictions, gold)}};
    auto p = to_class_indices("predicted", predictions, task);
    auto g = to_class_indices("gold", gold, task);
    switch (task) {
        case GlueTask::CoLA: return {{"mcc", matthews_correlation(p, g)}};
        case GlueTask::MRPC:
        case GlueTask::QQP: return {{"f1", f1_binary(p, g, 1)}, {"accuracy", accuracy(p, g)}};
        default: return {{"accuracy", accuracy(p, g)}};
    }
}

std::string_view main_metric_name(GlueTask task) {
    switch (task) {
        case GlueTask::CoLA: return "mcc";
        case GlueTask::MRPC:
        case GlueTask::QQP: return "f1";
        case GlueTask::STSB: return "spearman";
        default: return "accuracy";
    }
}

}  // namespace pb
