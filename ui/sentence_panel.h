#pragma once
// The input: a sentence, an optional second sentence (a pair, as in MRPC/QQP/RTE) and example inputs
// to pick from (resources/samples/sentences.txt).
#include "ui/sample_sentences.h"

#include <QString>
#include <QWidget>

#include <optional>
#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QPlainTextEdit;

namespace pb::ui {

class SentencePanel : public QWidget {
    Q_OBJECT

public:
    explicit SentencePanel(QWidget* parent = nullptr);

    QString text() const;
    // The second sentence when "Sentence pair" is ticked (even if still empty), else nullopt.
    std::optional<QString> pair() const;
    // Sets both without emitting once per character; emits inputChanged once.
    void setInput(const QString& text, const std::optional<QString>& pair);

    void setSamples(const std::vector<SampleSentence>& samples);
    const std::vector<SampleSentence>& samples() const { return samples_; }
    void chooseSample(int index);  // index into samples()

    // "12 tokens" under the editors; the notice when the input was truncated.
    void setTokenInfo(const QString& info);
    QString tokenInfo() const;

    QPlainTextEdit* sentenceEdit() const { return sentence_; }
    QPlainTextEdit* pairEdit() const { return pairEdit_; }
    QCheckBox* pairCheck() const { return pairCheck_; }
    QComboBox* examplesCombo() const { return examples_; }

signals:
    void inputChanged();

private:
    void updatePairVisibility();

    std::vector<SampleSentence> samples_;
    QComboBox* examples_ = nullptr;
    QPlainTextEdit* sentence_ = nullptr;
    QCheckBox* pairCheck_ = nullptr;
    QPlainTextEdit* pairEdit_ = nullptr;
    QLabel* tokenInfo_ = nullptr;
    bool settingInput_ = false;
};

}  // namespace pb::ui
