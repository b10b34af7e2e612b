#include "ui/default_model_search.h"

#include <QDir>
#include <QFileInfo>

namespace pb::ui {

QStringList defaultModelCandidates(const QString& applicationDir) {
    const QStringList relative = {QStringLiteral("/../share/powerbert-studio/default-model"),
                                  QStringLiteral("/../resources/default-model"),
                                  QStringLiteral("/../../resources/default-model"), QStringLiteral("/../demo-model")};
    QStringList out;
    for (const QString& r : relative) out << QDir::cleanPath(applicationDir + r);
    return out;
}

QString findDefaultModel(const QString& applicationDir) {
    for (const QString& candidate : defaultModelCandidates(applicationDir))
        if (QFileInfo(candidate + QStringLiteral("/config.json")).isFile()) return candidate;
    return {};
}

}  // namespace pb::ui
