#include "ui/sentence_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFontMetrics>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSignalBlocker>
#include <QVBoxLayout>

namespace pb::ui {

namespace {

QPlainTextEdit* makeEditor(const QString& placeholder, const QString& tip) {
    auto* edit = new QPlainTextEdit;
    edit->setPlaceholderText(placeholder);
    edit->setToolTip(tip);
    edit->setTabChangesFocus(true);
    edit->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    const int line = QFontMetrics(edit->font()).lineSpacing();
    edit->setMinimumHeight(line * 2 + 14);
    edit->setMaximumHeight(line * 4 + 14);
    return edit;
}

}  // namespace

SentencePanel::SentencePanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    examples_ = new QComboBox;
    examples_->setToolTip(QStringLiteral("Pick an example sentence or sentence pair (it replaces the input)"));
    examples_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    examples_->setMinimumContentsLength(20);
    layout->addWidget(examples_);

    auto* sentenceLabel = new QLabel(QStringLiteral("&Sentence:"));
    sentence_ = makeEditor(QStringLiteral("Type a sentence to analyse…"),
                           QStringLiteral("The input text; every edit re-runs the full model and PoWER-BERT "
                                          "(Ctrl+L to focus)"));
    sentenceLabel->setBuddy(sentence_);
    layout->addWidget(sentenceLabel);
    layout->addWidget(sentence_);

    pairCheck_ = new QCheckBox(QStringLiteral("Second sentence (&pair)"));
    pairCheck_->setToolTip(QStringLiteral("Encode two sentences as [CLS] first [SEP] second [SEP] "
                                          "(paraphrase, entailment and similarity tasks)"));
    layout->addWidget(pairCheck_);
    pairEdit_ = makeEditor(QStringLiteral("The second sentence of the pair…"),
                           QStringLiteral("The second sentence (segment B, token type 1)"));
    layout->addWidget(pairEdit_);

    tokenInfo_ = new QLabel;
    tokenInfo_->setToolTip(QStringLiteral("Tokens of the input under the model's WordPiece vocabulary, "
                                          "[CLS] and [SEP] included"));
    tokenInfo_->setWordWrap(true);
    layout->addWidget(tokenInfo_);

    connect(sentence_, &QPlainTextEdit::textChanged, this, [this] {
        if (!settingInput_) emit inputChanged();
    });
    connect(pairEdit_, &QPlainTextEdit::textChanged, this, [this] {
        if (!settingInput_ && pairCheck_->isChecked()) emit inputChanged();
    });
    connect(pairCheck_, &QCheckBox::toggled, this, [this] {
        updatePairVisibility();
        if (!settingInput_) emit inputChanged();
    });
    connect(examples_, &QComboBox::activated, this, [this](int index) { chooseSample(index - 1); });

    setSamples(builtinSampleSentences());
    updatePairVisibility();
}

QString SentencePanel::text() const { return sentence_->toPlainText(); }

std::optional<QString> SentencePanel::pair() const {
    if (!pairCheck_->isChecked()) return std::nullopt;
    return pairEdit_->toPlainText();
}

void SentencePanel::setInput(const QString& text, const std::optional<QString>& pair) {
    settingInput_ = true;
    if (sentence_->toPlainText() != text) sentence_->setPlainText(text);
    pairCheck_->setChecked(pair.has_value());
    const QString pairText = pair.value_or(QString());
    if (pair && pairEdit_->toPlainText() != pairText) pairEdit_->setPlainText(pairText);
    settingInput_ = false;
    updatePairVisibility();
    emit inputChanged();
}

void SentencePanel::setSamples(const std::vector<SampleSentence>& samples) {
    samples_ = samples;
    QSignalBlocker block(examples_);
    examples_->clear();
    examples_->addItem(samples.empty() ? QStringLiteral("(no examples)") : QStringLiteral("Examples…"));
    for (const SampleSentence& s : samples) {
        examples_->addItem(s.pair ? QStringLiteral("[pair] ") + s.label() : s.label());
        examples_->setItemData(examples_->count() - 1, s.label(), Qt::ToolTipRole);
    }
    examples_->setCurrentIndex(0);
}

void SentencePanel::chooseSample(int index) {
    if (index < 0 || index >= static_cast<int>(samples_.size())) return;
    const SampleSentence& s = samples_[size_t(index)];
    setInput(s.text, s.pair);
    QSignalBlocker block(examples_);
    examples_->setCurrentIndex(0);
}

void SentencePanel::setTokenInfo(const QString& info) { tokenInfo_->setText(info); }
QString SentencePanel::tokenInfo() const { return tokenInfo_->text(); }

void SentencePanel::updatePairVisibility() { pairEdit_->setVisible(pairCheck_->isChecked()); }

}  // namespace pb::ui
