#pragma once
// Where the studio looks for a model when none is named on the command line.
#include <QString>
#include <QStringList>

namespace pb::ui {

// In order: ../share/powerbert-studio/default-model (installed), ../resources/default-model,
// ../../resources/default-model (the source tree, from build/app), ../demo-model (what
// tools/run-studio.sh makes in build/), all relative to the executable's folder.
QStringList defaultModelCandidates(const QString& applicationDir);
// The first candidate that holds a config.json; empty if none does.
QString findDefaultModel(const QString& applicationDir);

}  // namespace pb::ui
