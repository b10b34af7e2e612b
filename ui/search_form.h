#pragma once
// The inputs of a configuration search: task data (train and dev TSV, task guessed from the file or
// chosen), lambda, the learning rates of the BERT weights and of r, epochs, batch, maximum length,
// example limits, seed, output folder and whether to re-train afterwards (optionally distilling from
// the fine-tuned model: weight and temperature; optionally training the weights without elimination
// too). Choosing a task (or a file
// that reveals one) fills the hyper-parameters with the reference's defaults for it
// (pb::train::reference_defaults); every field stays editable afterwards.
//
// Output layout: <output>/search (the search's folder: model with r, retention.json, training.json)
// and, when re-training, <output>/retrain (the Extract model re-trained from the search's weights).
#include "core/glue_dataset.h"
#include "core/train/training_steps.h"

#include <QString>
#include <QWidget>

#include <optional>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace pb::ui {

class SearchForm : public QWidget {
    Q_OBJECT

public:
    explicit SearchForm(QWidget* parent = nullptr);

    // The fine-tuned model the search starts from (the main window's current model).
    void setModelFolder(const QString& folder);
    QString modelFolder() const { return model_; }

    void setTrainFile(const QString& path);  // guesses the task when "guess" is chosen
    void setDevFile(const QString& path);
    void setOutputFolder(const QString& path);
    QString outputFolder() const;

    // The chosen task, else the one guessed from the training file (Generic when nothing tells).
    pb::GlueTask task() const;
    // Fills lambda, both learning rates, batch and maximum length from the reference table.
    void applyTaskDefaults();

    // The search step's options, or a pb::Error naming the field at fault.
    pb::train::StepOptions searchOptions() const;
    // The re-train step's options when "re-train afterwards" is ticked (same data, epochs, batch,
    // length, seed and BERT learning rate; starts from the search's folder and its retention.json;
    // with distillation ticked, the fine-tuned model is the teacher).
    std::optional<pb::train::StepOptions> retrainOptions() const;

    // For tests and the window.
    QLineEdit* trainEdit() const { return trainEdit_; }
    QLineEdit* devEdit() const { return devEdit_; }
    QComboBox* taskCombo() const { return taskCombo_; }
    QLineEdit* lambdaEdit() const { return lambdaEdit_; }
    QLineEdit* lrBertEdit() const { return lrBertEdit_; }
    QLineEdit* lrSoftEdit() const { return lrSoftEdit_; }
    QSpinBox* epochsSpin() const { return epochsSpin_; }
    QSpinBox* batchSpin() const { return batchSpin_; }
    QSpinBox* maxLengthSpin() const { return maxLengthSpin_; }
    QSpinBox* trainLimitSpin() const { return trainLimitSpin_; }
    QSpinBox* devLimitSpin() const { return devLimitSpin_; }
    QSpinBox* seedSpin() const { return seedSpin_; }
    QCheckBox* retrainCheck() const { return retrainCheck_; }
    QCheckBox* distillCheck() const { return distillCheck_; }
    QCheckBox* fullPassCheck() const { return fullPassCheck_; }
    QLineEdit* distillWeightEdit() const { return distillWeightEdit_; }
    QLineEdit* distillTemperatureEdit() const { return distillTemperatureEdit_; }
    QLineEdit* outputEdit() const { return outputEdit_; }

private:
    QWidget* buildDataGroup();
    QWidget* buildSearchGroup();
    QWidget* buildOutputGroup();
    QLineEdit* addNumberField(QFormLayout* form, const QString& label, const QString& tip);
    void updateGuess();
    void suggestOutputFolder();
    double numberIn(const QLineEdit* edit, const QString& name, bool positive) const;

    QString model_;
    std::optional<pb::GlueTask> guessed_;
    pb::GlueTask defaultsTask_ = pb::GlueTask::Generic;  // whose defaults the fields were last given
    bool outputEdited_ = false;

    QLabel* modelLabel_ = nullptr;
    QLineEdit* trainEdit_ = nullptr;
    QLineEdit* devEdit_ = nullptr;
    QComboBox* taskCombo_ = nullptr;
    QLineEdit* lambdaEdit_ = nullptr;
    QLineEdit* lrBertEdit_ = nullptr;
    QLineEdit* lrSoftEdit_ = nullptr;
    QSpinBox* epochsSpin_ = nullptr;
    QSpinBox* batchSpin_ = nullptr;
    QSpinBox* maxLengthSpin_ = nullptr;
    QSpinBox* trainLimitSpin_ = nullptr;
    QSpinBox* devLimitSpin_ = nullptr;
    QSpinBox* seedSpin_ = nullptr;
    QCheckBox* retrainCheck_ = nullptr;
    QCheckBox* distillCheck_ = nullptr;
    QCheckBox* fullPassCheck_ = nullptr;
    QLineEdit* distillWeightEdit_ = nullptr;
    QLineEdit* distillTemperatureEdit_ = nullptr;
    QLineEdit* outputEdit_ = nullptr;
};

}  // namespace pb::ui
