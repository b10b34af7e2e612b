#include "ui/retention_editor.h"

#include "core/error.h"
#include "core/flops.h"
#include "ui/number_format.h"
#include "ui/qt_paths.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace pb::ui {

namespace {

const char* kRuleTip =
    "Word vectors kept after each encoder layer (PoWER-BERT's retention configuration).<br>"
    "Values lie in [1, n], n = tokens of the sentence ([CLS] and [SEP] included).<br>"
    "The configuration is non-increasing: setting layer j to v <b>raises</b> earlier layers below v to v "
    "and <b>lowers</b> later layers above v to v.";

constexpr int kSpinColumns = 2;  // pairs of (label, spin box) per grid row

// Clamped to [1, n], then made non-increasing by lowering: the editor's rule for values it is given whole.
std::vector<int> validKeep(std::vector<int> keep, int n) {
    for (size_t j = 0; j < keep.size(); ++j) {
        keep[j] = std::clamp(keep[j], 1, n);
        if (j > 0) keep[j] = std::min(keep[j], keep[j - 1]);
    }
    return keep;
}

bool samePlan(const pb::RetentionPlan& a, const pb::RetentionPlan& b) {
    return a.keep == b.keep && a.strategy == b.strategy && a.seed == b.seed;
}

}  // namespace

RetentionEditor::RetentionEditor(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    buildPresetRow(form);
    buildStrategyRow(form);
    layout->addLayout(form);
    buildPlot();
    layout->addWidget(plot_, 1);
    lengthLabel_ = new QLabel;
    lengthLabel_->setToolTip(QStringLiteral("n: tokens of the current input, the upper bound of every value"));
    layout->addWidget(lengthLabel_);

    spinGrid_ = new QGridLayout;
    spinGrid_->setHorizontalSpacing(8);
    layout->addLayout(spinGrid_);

    savingsLabel_ = new QLabel;
    savingsLabel_->setWordWrap(true);
    savingsLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    savingsLabel_->setToolTip(QStringLiteral(
        "Multiply-adds of the encoder and head on this sentence: the full model (n vectors in every layer) "
        "against this configuration (pb::model_multiply_adds; Q, K, V and the scores run on the vectors that "
        "enter a layer, everything after the attention on the kept ones)"));
    layout->addWidget(savingsLabel_);

    loadButton_ = new QPushButton(QStringLiteral("&Load retention.json…"));
    loadButton_->setToolTip(QStringLiteral("Read a retention.json (values, strategy and seed); values above n are clamped"));
    saveButton_ = new QPushButton(QStringLiteral("Save rete&ntion.json…"));
    saveButton_->setToolTip(QStringLiteral("Write this configuration as retention.json (written atomically)"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(loadButton_);
    buttons->addWidget(saveButton_);
    layout->addLayout(buttons);

    connectControls();
    stylePlot();
    setPresetSilently(preset_);
    clearModel();
}

void RetentionEditor::buildPresetRow(QFormLayout* form) {
    presetCombo_ = new QComboBox;
    for (Preset p : {Preset::FullModel, Preset::KeepFraction, Preset::LinearDecay, Preset::Custom})
        presetCombo_->addItem(presetName(p), static_cast<int>(p));
    presetCombo_->setToolTip(QStringLiteral(
        "<b>Presets</b> (j = 1..L, n = tokens):<br>"
        "Full model: keep<sub>j</sub> = n (no elimination)<br>"
        "Keep fraction ρ: keep<sub>j</sub> = ⌈n·ρ<sup>j</sup>⌉<br>"
        "Linear decay to k: keep<sub>j</sub> = round(n − (n − k)·j/L)<br>"
        "Model's retention.json: the folder's own configuration, clamped to n<br>"
        "A preset follows the sentence; a hand edit switches to Custom."));
    fractionSpin_ = new QDoubleSpinBox;
    fractionSpin_->setRange(0.05, 1.0);
    fractionSpin_->setSingleStep(0.05);
    fractionSpin_->setDecimals(2);
    fractionSpin_->setPrefix(QStringLiteral("ρ = "));
    fractionSpin_->setValue(fraction_);
    fractionSpin_->setKeyboardTracking(false);
    fractionSpin_->setToolTip(QStringLiteral("Fraction ρ of the vectors kept by each layer: keep<sub>j</sub> = ⌈n·ρ<sup>j</sup>⌉"));
    linearSpin_ = new QSpinBox;
    linearSpin_->setRange(1, 512);
    linearSpin_->setPrefix(QStringLiteral("k = "));
    linearSpin_->setValue(linearTarget_);
    linearSpin_->setKeyboardTracking(false);
    linearSpin_->setToolTip(QStringLiteral("Vectors kept by the last layer; the layers in between decay linearly from n to k"));
    // Long item texts must not widen the dock: the combos shrink, their popups show the full text.
    presetCombo_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    presetCombo_->setMinimumContentsLength(12);
    auto* presetRow = new QHBoxLayout;
    presetRow->addWidget(presetCombo_, 1);
    presetRow->addWidget(fractionSpin_);
    presetRow->addWidget(linearSpin_);
    auto* presetLabel = new QLabel(QStringLiteral("P&reset:"));
    presetLabel->setBuddy(presetCombo_);
    form->addRow(presetLabel, presetRow);
}

void RetentionEditor::buildStrategyRow(QFormLayout* form) {
    strategyCombo_ = new QComboBox;
    strategyCombo_->addItem(QStringLiteral("Attn-WS (by attention)"), static_cast<int>(pb::Strategy::Attention));
    strategyCombo_->addItem(QStringLiteral("Head-WS (first tokens)"), static_cast<int>(pb::Strategy::Head));
    strategyCombo_->addItem(QStringLiteral("Rand-WS (random)"), static_cast<int>(pb::Strategy::Random));
    strategyCombo_->setToolTip(QStringLiteral(
        "Which word vectors survive each layer:<br>"
        "<b>Attn-WS</b>: the keep[j] most significant (attention received from the others), per input;<br>"
        "<b>Head-WS</b>: the first keep[j] positions;<br>"
        "<b>Rand-WS</b>: a seeded random set. [CLS] always survives."));
    seedSpin_ = new QSpinBox;
    seedSpin_->setRange(0, std::numeric_limits<int>::max());
    seedSpin_->setKeyboardTracking(false);
    seedSpin_->setToolTip(QStringLiteral("Seed of Rand-WS: the same seed picks the same vectors"));
    strategyCombo_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    strategyCombo_->setMinimumContentsLength(12);
    seedSpin_->setMaximumWidth(110);
    seedLabel_ = new QLabel(QStringLiteral("See&d:"));
    seedLabel_->setBuddy(seedSpin_);
    auto* strategyRow = new QHBoxLayout;
    strategyRow->addWidget(strategyCombo_, 1);
    strategyRow->addWidget(seedLabel_);
    strategyRow->addWidget(seedSpin_);
    auto* strategyLabel = new QLabel(QStringLiteral("Str&ategy:"));
    strategyLabel->setBuddy(strategyCombo_);
    form->addRow(strategyLabel, strategyRow);
}

void RetentionEditor::buildPlot() {
    plot_ = new QCustomPlot;
    plot_->setMinimumHeight(190);
    plot_->setToolTip(QStringLiteral("Click or drag in a layer's column to set how many vectors it keeps.<br>") +
                      QString::fromLatin1(kRuleTip));
    plot_->setInteractions(QCP::Interactions());
    plot_->setCursor(Qt::SizeVerCursor);
    auto* area = plot_->addGraph();  // the work done: step line with a light fill
    area->setLineStyle(QCPGraph::lsStepLeft);
    auto* points = plot_->addGraph();  // the draggable values
    points->setLineStyle(QCPGraph::lsNone);
    auto* full = plot_->addGraph();  // n, the full model
    full->setLineStyle(QCPGraph::lsLine);
    plot_->xAxis->setLabel(QStringLiteral("after encoder layer"));
    plot_->yAxis->setLabel(QStringLiteral("vectors kept"));
    plot_->axisRect()->setupFullAxesBox(false);
    connect(plot_, &QCustomPlot::mousePress, this, &RetentionEditor::onPlotPress);
    connect(plot_, &QCustomPlot::mouseMove, this, &RetentionEditor::onPlotMove);
    connect(plot_, &QCustomPlot::mouseRelease, this, &RetentionEditor::onPlotRelease);
}

void RetentionEditor::connectControls() {
    connect(presetCombo_, &QComboBox::activated, this, [this](int index) {
        const auto p = static_cast<Preset>(presetCombo_->itemData(index).toInt());
        applyUserEdit(QStringLiteral("preset “%1”").arg(presetName(p)), kNoMerge, [&] {
            switch (p) {
            case Preset::FullModel: applyFullModel(); break;
            case Preset::KeepFraction: applyKeepFraction(fractionSpin_->value()); break;
            case Preset::LinearDecay: applyLinearDecay(linearSpin_->value()); break;
            case Preset::ModelRetention: applyModelRetention(); break;
            case Preset::Custom: setPresetSilently(Preset::Custom); break;
            }
        });
    });
    connect(fractionSpin_, &QDoubleSpinBox::valueChanged, this, [this](double rho) {
        if (!updating_)
            applyUserEdit(QStringLiteral("keep fraction ρ = %1").arg(rho, 0, 'f', 2), kFractionEdit,
                          [&] { applyKeepFraction(rho); });
    });
    connect(linearSpin_, &QSpinBox::valueChanged, this, [this](int k) {
        if (!updating_) applyUserEdit(QStringLiteral("linear decay to k = %1").arg(k), kLinearEdit, [&] { applyLinearDecay(k); });
    });
    connect(strategyCombo_, &QComboBox::activated, this, [this](int index) {
        applyUserEdit(QStringLiteral("strategy %1").arg(strategyCombo_->itemText(index)), kNoMerge, [&] {
            setStrategy(static_cast<pb::Strategy>(strategyCombo_->itemData(index).toInt()), seed_);
        });
    });
    connect(seedSpin_, &QSpinBox::valueChanged, this, [this](int seed) {
        if (!updating_)
            applyUserEdit(QStringLiteral("seed = %1").arg(seed), kSeedEdit,
                          [&] { setStrategy(strategy_, static_cast<uint64_t>(seed)); });
    });
    connect(loadButton_, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, QStringLiteral("Load retention configuration"), {},
                                                          QStringLiteral("Retention configuration (*.json);;All files (*)"));
        if (path.isEmpty()) return;
        QString error;
        applyUserEdit(QStringLiteral("load %1").arg(QFileInfo(path).fileName()), kNoMerge,
                      [&] { error = loadRetentionFile(path); });
        if (!error.isEmpty()) emit errorOccurred(error);
    });
    connect(saveButton_, &QPushButton::clicked, this, [this] {
        QString path = QFileDialog::getSaveFileName(this, QStringLiteral("Save retention configuration"),
                                                    QStringLiteral("retention.json"),
                                                    QStringLiteral("Retention configuration (*.json)"));
        if (path.isEmpty()) return;
        if (!path.endsWith(QStringLiteral(".json"), Qt::CaseInsensitive)) path += QStringLiteral(".json");
        const QString error = saveRetentionFile(path);
        if (!error.isEmpty()) emit errorOccurred(error);
    });
}

QString RetentionEditor::presetName(Preset preset) {
    switch (preset) {
    case Preset::FullModel: return QStringLiteral("Full model (no elimination)");
    case Preset::KeepFraction: return QStringLiteral("Keep fraction ρ per layer");
    case Preset::LinearDecay: return QStringLiteral("Linear decay to k");
    case Preset::ModelRetention: return QStringLiteral("Model's retention.json");
    case Preset::Custom: return QStringLiteral("Custom");
    }
    return {};
}

RetentionEditor::Preset RetentionEditor::presetFromName(const QString& name, bool* ok) {
    for (Preset p : {Preset::FullModel, Preset::KeepFraction, Preset::LinearDecay, Preset::ModelRetention, Preset::Custom})
        if (presetName(p) == name) {
            if (ok) *ok = true;
            return p;
        }
    if (ok) *ok = false;
    return Preset::Custom;
}

double RetentionEditor::presetParameter() const {
    if (preset_ == Preset::KeepFraction) return fraction_;
    if (preset_ == Preset::LinearDecay) return linearTarget_;
    return 0.0;
}

pb::RetentionPlan RetentionEditor::plan() const {
    pb::RetentionPlan p;
    p.keep = keep_;
    p.strategy = strategy_;
    p.seed = seed_;
    return p;
}

void RetentionEditor::setModelConfig(const pb::ModelConfig& config, const std::optional<pb::RetentionPlan>& modelRetention) {
    config_ = config;
    modelRetention_ = modelRetention;
    if (modelRetention_ && static_cast<int>(modelRetention_->keep.size()) != config.num_layers) modelRetention_.reset();
    {
        QSignalBlocker block(presetCombo_);
        const int index = presetCombo_->findData(static_cast<int>(Preset::ModelRetention));
        if (modelRetention_ && index < 0)
            presetCombo_->insertItem(3, presetName(Preset::ModelRetention), static_cast<int>(Preset::ModelRetention));
        else if (!modelRetention_ && index >= 0)
            presetCombo_->removeItem(index);
    }
    keep_.assign(static_cast<size_t>(config.num_layers), maxValue());
    if (preset_ == Preset::ModelRetention && !modelRetention_) preset_ = Preset::KeepFraction;
    if (preset_ == Preset::Custom) preset_ = Preset::KeepFraction;  // old custom values belong to another model
    setEnabled(true);
    rebuildSpinBoxes();
    setPresetSilently(preset_);
    recompute();
}

void RetentionEditor::clearModel() {
    config_.reset();
    modelRetention_.reset();
    keep_.clear();
    rebuildSpinBoxes();
    setEnabled(false);
    refresh();
}

void RetentionEditor::setSentenceLength(int tokens) {
    tokens = std::max(tokens, 0);
    if (tokens == length_) return;
    length_ = tokens;
    {
        QSignalBlocker block(linearSpin_);
        linearSpin_->setRange(1, maxValue());
    }
    linearTarget_ = std::clamp(linearTarget_, 1, maxValue());
    for (QSpinBox* s : spins_) {
        QSignalBlocker block(s);
        s->setRange(1, maxValue());
    }
    if (preset_ == Preset::Custom) {
        for (int& k : keep_) k = std::clamp(k, 1, maxValue());
        refresh();
    } else {
        recompute();
    }
}

std::vector<int> RetentionEditor::presetValues(Preset preset) const {
    const int n = maxValue(), layers = numLayers();
    std::vector<int> out(static_cast<size_t>(layers), n);
    switch (preset) {
    case Preset::FullModel:
    case Preset::Custom: break;
    case Preset::KeepFraction: out = pb::geometric_retention(n, fraction_, layers); break;
    case Preset::LinearDecay: {
        const int k = std::clamp(linearTarget_, 1, n);
        for (int j = 1; j <= layers; ++j)
            out[size_t(j - 1)] = static_cast<int>(std::lround(n - double(n - k) * j / layers));
        break;
    }
    case Preset::ModelRetention:
        if (modelRetention_) out = modelRetention_->keep;
        break;
    }
    return validKeep(std::move(out), n);
}

void RetentionEditor::recompute() {
    if (preset_ != Preset::Custom) keep_ = presetValues(preset_);
    refresh();
}

void RetentionEditor::setPresetSilently(Preset preset) {
    preset_ = preset;
    updating_ = true;
    {
        QSignalBlocker b1(presetCombo_), b2(fractionSpin_), b3(linearSpin_);
        presetCombo_->setCurrentIndex(std::max(0, presetCombo_->findData(static_cast<int>(preset))));
        fractionSpin_->setValue(fraction_);
        linearSpin_->setValue(linearTarget_);
    }
    fractionSpin_->setVisible(preset == Preset::KeepFraction);
    linearSpin_->setVisible(preset == Preset::LinearDecay);
    updating_ = false;
}

void RetentionEditor::applyFullModel() {
    setPresetSilently(Preset::FullModel);
    recompute();
}

void RetentionEditor::applyKeepFraction(double rho) {
    fraction_ = std::clamp(rho, 0.01, 1.0);
    setPresetSilently(Preset::KeepFraction);
    recompute();
}

void RetentionEditor::applyLinearDecay(int k) {
    linearTarget_ = std::clamp(k, 1, maxValue());
    setPresetSilently(Preset::LinearDecay);
    recompute();
}

void RetentionEditor::applyModelRetention() {
    if (!modelRetention_) return;
    setPresetSilently(Preset::ModelRetention);
    strategy_ = modelRetention_->strategy;
    seed_ = modelRetention_->seed;
    recompute();
}

void RetentionEditor::setLayerValue(int layer, int value) {
    if (layer < 0 || layer >= numLayers()) return;
    value = std::clamp(value, 1, maxValue());
    keep_[size_t(layer)] = value;
    for (int i = 0; i < layer; ++i) keep_[size_t(i)] = std::max(keep_[size_t(i)], value);
    for (int i = layer + 1; i < numLayers(); ++i) keep_[size_t(i)] = std::min(keep_[size_t(i)], value);
    setPresetSilently(Preset::Custom);
    refresh();
}

void RetentionEditor::dragPoint(int layer, double value) {
    if (!std::isfinite(value)) return;
    setLayerValue(layer, static_cast<int>(std::lround(std::clamp(value, -1e6, 1e6))));
}

void RetentionEditor::setKeep(const std::vector<int>& keep) {
    if (static_cast<int>(keep.size()) != numLayers()) return;
    keep_ = validKeep(keep, maxValue());
    setPresetSilently(Preset::Custom);
    refresh();
}

void RetentionEditor::setStrategy(pb::Strategy strategy, uint64_t seed) {
    strategy_ = strategy;
    seed_ = seed;
    refresh();
}

void RetentionEditor::restore(Preset preset, double parameter, const std::vector<int>& keep, pb::Strategy strategy,
                              uint64_t seed) {
    strategy_ = strategy;
    seed_ = seed;
    if (preset == Preset::KeepFraction && parameter > 0.0 && parameter <= 1.0) fraction_ = parameter;
    if (preset == Preset::LinearDecay && parameter >= 1.0) linearTarget_ = static_cast<int>(std::lround(parameter));
    if (preset == Preset::ModelRetention && !modelRetention_) preset = Preset::Custom;
    setKeep(keep);  // exact values (clamped), "Custom" for now
    setPresetSilently(preset);
}

RetentionEditor::State RetentionEditor::state() const {
    return State{preset_, fraction_, linearTarget_, keep_, strategy_, seed_};
}

void RetentionEditor::setState(const State& state) {
    if (state.keep.size() != keep_.size()) return;
    strategy_ = state.strategy;
    seed_ = state.seed;
    fraction_ = std::clamp(state.fraction, 0.01, 1.0);
    linearTarget_ = std::clamp(state.linearTarget, 1, maxValue());
    const Preset preset = state.preset == Preset::ModelRetention && !modelRetention_ ? Preset::Custom : state.preset;
    if (preset == Preset::Custom) keep_ = validKeep(state.keep, maxValue());
    setPresetSilently(preset);
    recompute();
}

void RetentionEditor::reportEdit(const State& before, const QString& description, int key) {
    const State after = state();
    if (after != before) emit edited(before, after, description, key);
}

QString RetentionEditor::loadRetentionFile(const QString& path) {
    if (!config_) return QStringLiteral("%1: no model is loaded, so the layer count is unknown").arg(path);
    pb::RetentionPlan loaded;
    try {
        loaded = pb::load_retention_json(toFsPath(path), config_->num_layers);
    } catch (const pb::Error& e) {
        return QString::fromStdString(e.what());
    }
    strategy_ = loaded.strategy;
    seed_ = loaded.seed;
    setKeep(loaded.keep);
    return {};
}

QString RetentionEditor::saveRetentionFile(const QString& path) const {
    try {
        pb::save_retention_json(toFsPath(path), plan(), "PoWER-BERT Studio (by hand)");
    } catch (const pb::Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

int64_t RetentionEditor::fullMultiplyAdds() const {
    if (!config_ || length_ <= 0) return 0;
    std::vector<int> lengths(static_cast<size_t>(numLayers()) + 1, length_);
    return pb::model_multiply_adds(*config_, lengths, true);
}

int64_t RetentionEditor::planMultiplyAdds() const {
    if (!config_ || length_ <= 0) return 0;
    std::vector<int> lengths{length_};
    for (int k : keep_) lengths.push_back(std::min(k, lengths.back()));
    return pb::model_multiply_adds(*config_, lengths, true);
}

QString RetentionEditor::savingsText() const {
    const int64_t full = fullMultiplyAdds(), power = planMultiplyAdds();
    if (full <= 0 || power <= 0) return QStringLiteral("Multiply-adds: no sentence yet");
    const double saved = 100.0 * double(full - power) / double(full);
    return QStringLiteral("Multiply-adds on this sentence: <b>%1</b> of %2 — %3% saved (%4× fewer)")
        .arg(formatCount(power), formatCount(full))
        .arg(saved, 0, 'f', 1)
        .arg(double(full) / double(power), 0, 'f', 2);
}

QSpinBox* RetentionEditor::spinBox(int layer) const {
    return layer >= 0 && layer < static_cast<int>(spins_.size()) ? spins_[size_t(layer)] : nullptr;
}

void RetentionEditor::rebuildSpinBoxes() {
    for (QSpinBox* s : spins_) s->deleteLater();
    for (QLabel* l : spinLabels_) l->deleteLater();
    spins_.clear();
    spinLabels_.clear();
    for (int j = 0; j < numLayers(); ++j) {
        auto* label = new QLabel(QStringLiteral("Layer %1").arg(j + 1));
        auto* spin = new QSpinBox;
        spin->setRange(1, maxValue());
        spin->setAccelerated(true);
        // Applied on Enter, focus loss or a step: typing "12" must not apply the push rule to "1" first.
        spin->setKeyboardTracking(false);
        spin->setToolTip(QStringLiteral("Vectors kept after encoder layer %1.<br>").arg(j + 1) + QString::fromLatin1(kRuleTip));
        label->setBuddy(spin);
        const int row = j / kSpinColumns, column = (j % kSpinColumns) * 2;
        spinGrid_->addWidget(label, row, column, Qt::AlignRight);
        spinGrid_->addWidget(spin, row, column + 1);
        connect(spin, &QSpinBox::valueChanged, this, [this, j](int value) {
            if (!updating_)
                applyUserEdit(QStringLiteral("layer %1 = %2").arg(j + 1).arg(value), kFirstLayerEdit + j,
                              [&] { setLayerValue(j, value); });
        });
        spins_.push_back(spin);
        spinLabels_.push_back(label);
    }
    for (int c = 0; c < kSpinColumns; ++c) spinGrid_->setColumnStretch(c * 2 + 1, 1);
}

void RetentionEditor::refresh() {
    updating_ = true;
    for (size_t j = 0; j < spins_.size() && j < keep_.size(); ++j) {
        QSignalBlocker block(spins_[j]);
        spins_[j]->setRange(1, maxValue());
        spins_[j]->setValue(keep_[j]);
    }
    updating_ = false;
    {
        QSignalBlocker b(strategyCombo_), b2(seedSpin_);
        strategyCombo_->setCurrentIndex(std::max(0, strategyCombo_->findData(static_cast<int>(strategy_))));
        seedSpin_->setValue(static_cast<int>(std::min<uint64_t>(seed_, uint64_t(std::numeric_limits<int>::max()))));
    }
    seedSpin_->setEnabled(strategy_ == pb::Strategy::Random);
    seedLabel_->setEnabled(strategy_ == pb::Strategy::Random);

    const int layers = numLayers(), n = maxValue();
    QVector<double> x, y, px, py;
    x << 0;
    y << (length_ > 0 ? length_ : (keep_.empty() ? 0 : keep_.front()));
    for (int j = 0; j < layers; ++j) {
        x << j + 1;
        y << keep_[size_t(j)];
        px << j + 1;
        py << keep_[size_t(j)];
    }
    if (layers > 0) {
        x << layers + 0.5;
        y << keep_.back();
    }
    plot_->graph(0)->setData(x, y, true);
    plot_->graph(1)->setData(px, py, true);
    plot_->graph(2)->setData(QVector<double>{-0.5, layers + 0.5}, QVector<double>{double(n), double(n)}, true);
    plot_->graph(2)->setVisible(length_ > 0 && layers > 0);
    plot_->xAxis->setRange(-0.4, std::max(1, layers) + 0.5);
    plot_->yAxis->setRange(0, layers > 0 ? std::max(2.0, n * 1.12 + 0.5) : 10.0);
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    ticker->addTick(0, QStringLiteral("in"));
    const int step = layers > 16 ? 2 : 1;
    for (int j = step; j <= layers; j += step) ticker->addTick(j, QString::number(j));
    plot_->xAxis->setTicker(ticker);
    plot_->replot(QCustomPlot::rpQueuedReplot);

    lengthLabel_->setText(length_ > 0 ? QStringLiteral("n = %1 tokens; values per layer:").arg(length_)
                                      : QStringLiteral("No sentence yet; values per layer:"));
    savingsLabel_->setText(savingsText());
    emitIfChanged();
}

void RetentionEditor::emitIfChanged() {
    const pb::RetentionPlan current = plan();
    if (lastEmitted_ && samePlan(*lastEmitted_, current)) return;
    lastEmitted_ = current;
    emit planChanged(current);
}

int RetentionEditor::layerAtPixel(double x) const {
    const int layer = static_cast<int>(std::lround(plot_->xAxis->pixelToCoord(x)));
    return layer >= 1 && layer <= numLayers() ? layer - 1 : -1;
}

QPoint RetentionEditor::pointPixel(int layer) const {
    if (layer < 0 || layer >= numLayers()) return {};
    return QPoint(static_cast<int>(std::lround(plot_->xAxis->coordToPixel(layer + 1))),
                  static_cast<int>(std::lround(plot_->yAxis->coordToPixel(keep_[size_t(layer)]))));
}

void RetentionEditor::onPlotPress(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton || !plot_->axisRect()->rect().contains(event->pos())) return;
    dragLayer_ = layerAtPixel(event->position().x());
    if (dragLayer_ < 0) return;
    dragStart_ = state();
    dragPoint(dragLayer_, plot_->yAxis->pixelToCoord(event->position().y()));
}

void RetentionEditor::onPlotMove(QMouseEvent* event) {
    if (dragLayer_ >= 0) dragPoint(dragLayer_, plot_->yAxis->pixelToCoord(event->position().y()));
}

void RetentionEditor::onPlotRelease(QMouseEvent* event) {
    if (dragLayer_ >= 0 && event->button() == Qt::LeftButton) {
        dragPoint(dragLayer_, plot_->yAxis->pixelToCoord(event->position().y()));
        if (dragStart_)
            reportEdit(*dragStart_, QStringLiteral("layer %1 = %2 (drag)").arg(dragLayer_ + 1).arg(keep_[size_t(dragLayer_)]),
                       kNoMerge);
        dragStart_.reset();
        dragLayer_ = -1;
    }
}

void RetentionEditor::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && plot_) {
        stylePlot();
        plot_->replot(QCustomPlot::rpQueuedReplot);
    }
}

void RetentionEditor::stylePlot() {
    // The active colours even while the editor is disabled (no model yet): the plot stays readable.
    const QPalette pal = palette();
    const QColor base = pal.color(QPalette::Active, QPalette::Base), text = pal.color(QPalette::Active, QPalette::Text);
    const bool dark = base.lightness() < 128;
    const QColor accent = dark ? QColor(0xff, 0xb3, 0x47) : QColor(0xd9, 0x6c, 0x00);
    const QColor line = dark ? QColor(0x6c, 0xb4, 0xff) : QColor(0x1f, 0x5f, 0xae);
    QColor fill = line;
    fill.setAlpha(dark ? 70 : 45);
    QColor grid = text;
    grid.setAlpha(45);

    plot_->setBackground(base);
    plot_->axisRect()->setBackground(base);
    for (QCPAxis* axis : plot_->axisRect()->axes()) {
        axis->setBasePen(QPen(text, 1));
        axis->setTickPen(QPen(text, 1));
        axis->setSubTickPen(QPen(text, 1));
        axis->setTickLabelColor(text);
        axis->setLabelColor(text);
        axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
    }
    plot_->graph(0)->setPen(QPen(line, 2));
    plot_->graph(0)->setBrush(fill);
    plot_->graph(1)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(line, 2), QBrush(accent), 11));
    QColor fullColor = text;
    fullColor.setAlpha(140);
    plot_->graph(2)->setPen(QPen(fullColor, 1, Qt::DashLine));
}

}  // namespace pb::ui
