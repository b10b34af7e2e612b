#pragma once
// The example inputs offered by the sentence panel (resources/samples/sentences.txt in the qrc).
#include <QString>

#include <optional>
#include <vector>

namespace pb::ui {

struct SampleSentence {
    QString text;
    std::optional<QString> pair;  // set for a sentence pair

    QString label() const;  // one line for a combo box: "text" or "text ||| pair"
};

// One sample per line; "#" starts a comment line; a line "first ||| second" is a sentence pair.
std::vector<SampleSentence> parseSampleSentences(const QString& text);
// The samples compiled into the application (empty if the resource is missing).
std::vector<SampleSentence> builtinSampleSentences();

// Registers the qrc of the static ui library (a static library's resources are not registered by
// themselves). Idempotent; called by MainWindow and by anything else that reads ":/...".
void ensureStudioResources();

}  // namespace pb::ui
