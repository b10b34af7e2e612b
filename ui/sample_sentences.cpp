#include "ui/sample_sentences.h"

#include <QFile>
#include <QStringList>

// Q_INIT_RESOURCE declares its function in the enclosing namespace, so it must run at global scope.
static void initStudioResourcesOnce() {
    static const bool done = [] {
        Q_INIT_RESOURCE(resources);
        return true;
    }();
    (void)done;
}

namespace pb::ui {

namespace {
const QString kPairSeparator = QStringLiteral("|||");
}

QString SampleSentence::label() const {
    return pair ? text + QStringLiteral("  |||  ") + *pair : text;
}

std::vector<SampleSentence> parseSampleSentences(const QString& text) {
    std::vector<SampleSentence> samples;
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (const QString& raw : lines) {
        const QString line = raw.trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#'))) continue;
        const qsizetype split = line.indexOf(kPairSeparator);
        SampleSentence sample;
        if (split >= 0) {
            sample.text = line.left(split).trimmed();
            sample.pair = line.mid(split + kPairSeparator.size()).trimmed();
        } else {
            sample.text = line;
        }
        if (!sample.text.isEmpty()) samples.push_back(sample);
    }
    return samples;
}

std::vector<SampleSentence> builtinSampleSentences() {
    ensureStudioResources();
    QFile file(QStringLiteral(":/samples/sentences.txt"));
    if (!file.open(QIODevice::ReadOnly)) return {};
    return parseSampleSentences(QString::fromUtf8(file.readAll()));
}

void ensureStudioResources() { initStudioResourcesOnce(); }

}  // namespace pb::ui
