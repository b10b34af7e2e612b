#include "ui/dataset_configuration.h"

#include "core/model_folder.h"
#include "ui/retention_editor.h"

#include <QStringList>

namespace pb::ui {
namespace {

QString joined(const std::vector<int>& keep) {
    QStringList parts;
    for (int k : keep) parts << QString::number(k);
    return parts.join(QLatin1Char(','));
}

}  // namespace

QString strategyLabel(pb::Strategy strategy, uint64_t seed) {
    switch (strategy) {
    case pb::Strategy::Attention: return QStringLiteral("Attn-WS");
    case pb::Strategy::Head: return QStringLiteral("Head-WS");
    case pb::Strategy::Random: return QStringLiteral("Rand-WS (seed %1)").arg(seed);
    }
    return {};
}

QString describeKeep(const pb::RetentionPlan& plan, const std::optional<double>& keepFraction) {
    if (keepFraction) return QStringLiteral("keep fraction %1").arg(*keepFraction, 0, 'f', 2);
    return plan.keep.empty() ? QStringLiteral("no elimination") : QStringLiteral("retention %1").arg(joined(plan.keep));
}

QString describeDatasetPlan(const pb::RetentionPlan& plan, const std::optional<double>& keepFraction) {
    return describeKeep(plan, keepFraction) + QStringLiteral(", ") + strategyLabel(plan.strategy, plan.seed);
}

DatasetConfiguration keepFractionConfiguration(double fraction, const RetentionEditor& editor) {
    DatasetConfiguration c;
    c.plan.strategy = editor.strategy();
    c.plan.seed = editor.seed();
    c.keepFraction = fraction;
    c.description = QStringLiteral("keep fraction %1 per example length · %2")
                        .arg(fraction, 0, 'f', 2)
                        .arg(strategyLabel(c.plan.strategy, c.plan.seed));
    return c;
}

DatasetConfiguration configurationFromEditor(const RetentionEditor& editor, const pb::ModelFolder* model) {
    using Preset = RetentionEditor::Preset;
    if (editor.preset() == Preset::KeepFraction) return keepFractionConfiguration(editor.keepFraction(), editor);
    DatasetConfiguration c;
    c.plan.strategy = editor.strategy();
    c.plan.seed = editor.seed();
    QString what;
    if (editor.preset() == Preset::FullModel || editor.numLayers() == 0) {
        what = QStringLiteral("full model (nothing eliminated)");
    } else if (editor.preset() == Preset::ModelRetention && model && model->retention) {
        c.plan.keep = model->retention->keep;
        what = QStringLiteral("the model's retention.json %1").arg(joined(c.plan.keep));
    } else {
        c.plan.keep = editor.keep();
        what = QStringLiteral("retention %1").arg(joined(c.plan.keep));
    }
    c.description = what + QStringLiteral(" · ") + strategyLabel(c.plan.strategy, c.plan.seed);
    return c;
}

}  // namespace pb::ui
