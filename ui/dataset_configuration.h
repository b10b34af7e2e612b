#pragma once
// The retention configuration a dataset run uses, taken from the retention editor. The editor's
// values are fitted to the sentence on screen (clamped to its length n), which would be wrong for a
// dataset of other lengths, so its preset is what carries over: "keep fraction rho" becomes rho per
// example length, "the model's retention.json" its unclamped values, "full model" no elimination;
// only "linear decay" and "custom" values are taken as they stand (an input shorter than keep[j]
// keeps min(its length, keep[j]), as everywhere). The strategy and seed always come from the editor.
#include "core/elimination.h"

#include <QString>

#include <optional>

namespace pb {
struct ModelFolder;
}

namespace pb::ui {

class RetentionEditor;

struct DatasetConfiguration {
    pb::RetentionPlan plan;              // keep empty when keepFraction is set, or for the full model
    std::optional<double> keepFraction;  // geometric_retention(length, rho, L) per example
    QString description;                 // "retention.json 11,2,1,1 · Attn-WS"
};

DatasetConfiguration configurationFromEditor(const RetentionEditor& editor, const pb::ModelFolder* model);
// A keep fraction with the editor's strategy and seed.
DatasetConfiguration keepFractionConfiguration(double fraction, const RetentionEditor& editor);

QString strategyLabel(pb::Strategy strategy, uint64_t seed);  // "Attn-WS", "Rand-WS (seed 3)"
// The values a result was computed with: "retention 11,2,1,1", "keep fraction 0.70", "no elimination".
QString describeKeep(const pb::RetentionPlan& plan, const std::optional<double>& keepFraction);
// The same with the strategy: "retention 11,2,1,1, Attn-WS".
QString describeDatasetPlan(const pb::RetentionPlan& plan, const std::optional<double>& keepFraction);

}  // namespace pb::ui
