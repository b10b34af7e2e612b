#pragma once
// The retention configuration by hand: one `keep` value per encoder layer, edited in spin boxes or by
// dragging the points of a step plot, with presets, retention.json load/save, the selection strategy
// and the multiply-adds it saves on the current sentence.
//
// Rules (also in the tooltips):
// - every value lies in [1, n], n = the sentence's token count ([CLS] and [SEP] included);
// - the configuration is non-increasing, kept so by pushing: setting layer j to v raises every earlier
//   layer that is below v up to v, and lowers every later layer that is above v down to v;
// - presets (j = 1..L): full model keep_j = n; keep fraction rho keep_j = ceil(n * rho^j);
//   linear decay to k keep_j = round(n - (n - k) * j / L); the model's retention.json, clamped to n.
//   A preset follows the sentence: when n changes it is recomputed. Any hand edit switches to
//   "Custom", whose values are only clamped when n changes.
// Every edit made through the editor's own controls (or applyUserEdit) is reported by `edited` with the
// state before and after, so that the main window can undo it; a drag in the plot is one edit.
#include "core/elimination.h"
#include "core/model_config.h"

#include <QString>
#include <QWidget>

#include <optional>
#include <vector>

class QComboBox;
class QCustomPlot;
class QDoubleSpinBox;
class QFormLayout;
class QGridLayout;
class QLabel;
class QMouseEvent;
class QPushButton;
class QSpinBox;

namespace pb::ui {

class RetentionEditor : public QWidget {
    Q_OBJECT

public:
    enum class Preset { FullModel, KeepFraction, LinearDecay, ModelRetention, Custom };

    // Everything the user can change here. A preset state follows the sentence when it is set again;
    // a Custom one sets its values, clamped to the current n.
    struct State {
        Preset preset = Preset::KeepFraction;
        double fraction = 0.7;
        int linearTarget = 2;
        std::vector<int> keep;
        pb::Strategy strategy = pb::Strategy::Attention;
        uint64_t seed = 0;
        bool operator==(const State&) const = default;
    };
    // Consecutive edits with the same key (steps of one spin box) form one undo step; 0 never merges.
    enum EditKey { kNoMerge = 0, kFractionEdit, kLinearEdit, kSeedEdit, kFirstLayerEdit };

    explicit RetentionEditor(QWidget* parent = nullptr);

    // A new model: its layer count, its cost model and its own retention.json (offered as a preset).
    // Keeps the current preset (recomputed), or falls back to keep fraction when it cannot apply.
    void setModelConfig(const pb::ModelConfig& config, const std::optional<pb::RetentionPlan>& modelRetention = {});
    void clearModel();
    // The token count n of the current input (values are clamped to [1, n]).
    void setSentenceLength(int tokens);

    int numLayers() const { return static_cast<int>(keep_.size()); }
    int sentenceLength() const { return length_; }
    const std::vector<int>& keep() const { return keep_; }
    pb::Strategy strategy() const { return strategy_; }
    uint64_t seed() const { return seed_; }
    pb::RetentionPlan plan() const;

    Preset preset() const { return preset_; }
    double keepFraction() const { return fraction_; }
    int linearTarget() const { return linearTarget_; }

    // Edits (each emits planChanged when the plan changes).
    void setLayerValue(int layer, int value);  // 0-based layer; the push rule above
    void dragPoint(int layer, double value);   // the plot's drag handler: value rounded, then setLayerValue
    void setKeep(const std::vector<int>& keep);  // "Custom": clamped to [1, n], then made non-increasing
    void setStrategy(pb::Strategy strategy, uint64_t seed);
    void applyFullModel();
    void applyKeepFraction(double rho);
    void applyLinearDecay(int k);
    void applyModelRetention();  // no-op without a model retention.json
    State state() const;
    void setState(const State& state);  // not reported as an edit; ignored when the layer count differs
    // Runs `change` (any of the edits above) as one user edit: reported by `edited` if it changed the state.
    template <class Change> void applyUserEdit(const QString& description, int key, Change&& change) {
        const State before = state();
        change();
        reportEdit(before, description, key);
    }
    // For sessions: the preset and its parameter as saved, with the exact values.
    void restore(Preset preset, double parameter, const std::vector<int>& keep, pb::Strategy strategy, uint64_t seed);

    // retention.json through pb::load_retention_json / pb::save_retention_json (atomic).
    // Return an empty string on success, else the precise error; a failed load changes nothing.
    QString loadRetentionFile(const QString& path);
    QString saveRetentionFile(const QString& path) const;

    // Multiply-adds of the full model and of this plan on the current sentence (0 without a model).
    int64_t fullMultiplyAdds() const;
    int64_t planMultiplyAdds() const;
    QString savingsText() const;

    static QString presetName(Preset preset);
    static Preset presetFromName(const QString& name, bool* ok = nullptr);
    double presetParameter() const;  // rho, k, or 0

    // For tests and the main window.
    QSpinBox* spinBox(int layer) const;
    QCustomPlot* plot() const { return plot_; }
    QComboBox* presetCombo() const { return presetCombo_; }
    QComboBox* strategyCombo() const { return strategyCombo_; }
    QSpinBox* seedSpin() const { return seedSpin_; }
    // The pixel position of layer j's point in the plot (0-based layer), for simulated drags.
    QPoint pointPixel(int layer) const;

signals:
    void planChanged(const pb::RetentionPlan& plan);
    void edited(const pb::ui::RetentionEditor::State& before, const pb::ui::RetentionEditor::State& after,
                const QString& description, int key);
    void errorOccurred(const QString& message);

protected:
    void changeEvent(QEvent* event) override;

private:
    void recompute();  // from the preset, for the current n and L
    std::vector<int> presetValues(Preset preset) const;
    void setPresetSilently(Preset preset);
    void rebuildSpinBoxes();
    void refresh();  // spin boxes, plot, savings; then emit if the plan changed
    void emitIfChanged();
    void reportEdit(const State& before, const QString& description, int key);
    void buildPresetRow(QFormLayout* form);
    void buildStrategyRow(QFormLayout* form);
    void buildPlot();
    void connectControls();
    void stylePlot();
    int maxValue() const { return length_ > 0 ? length_ : 512; }

    void onPlotPress(QMouseEvent* event);
    void onPlotMove(QMouseEvent* event);
    void onPlotRelease(QMouseEvent* event);
    int layerAtPixel(double x) const;

    std::optional<pb::ModelConfig> config_;
    std::optional<pb::RetentionPlan> modelRetention_;
    std::vector<int> keep_;
    int length_ = 0;
    pb::Strategy strategy_ = pb::Strategy::Attention;
    uint64_t seed_ = 0;
    Preset preset_ = Preset::KeepFraction;
    double fraction_ = 0.7;
    int linearTarget_ = 2;
    int dragLayer_ = -1;
    std::optional<State> dragStart_;
    bool updating_ = false;
    std::optional<pb::RetentionPlan> lastEmitted_;

    QComboBox* presetCombo_ = nullptr;
    QDoubleSpinBox* fractionSpin_ = nullptr;
    QSpinBox* linearSpin_ = nullptr;
    QComboBox* strategyCombo_ = nullptr;
    QSpinBox* seedSpin_ = nullptr;
    QLabel* seedLabel_ = nullptr;
    QCustomPlot* plot_ = nullptr;
    QGridLayout* spinGrid_ = nullptr;
    std::vector<QSpinBox*> spins_;
    std::vector<QLabel*> spinLabels_;
    QLabel* savingsLabel_ = nullptr;
    QLabel* lengthLabel_ = nullptr;
    QPushButton* loadButton_ = nullptr;
    QPushButton* saveButton_ = nullptr;
};

}  // namespace pb::ui
