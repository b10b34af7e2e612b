#include "ui/about_text.h"

#include "core/version.h"

#include <Eigen/Core>
#include <nlohmann/json.hpp>
#include <qcustomplot.h>

#include <QtGlobal>

namespace pb::ui {

QString aboutText() {
    const QString eigen = QStringLiteral("%1.%2.%3").arg(EIGEN_WORLD_VERSION).arg(EIGEN_MAJOR_VERSION).arg(EIGEN_MINOR_VERSION);
    const QString json = QStringLiteral("%1.%2.%3")
                             .arg(NLOHMANN_JSON_VERSION_MAJOR)
                             .arg(NLOHMANN_JSON_VERSION_MINOR)
                             .arg(NLOHMANN_JSON_VERSION_PATCH);
    return QStringLiteral(
               "<h3>PoWER-BERT Studio %1</h3>"
               "<p>See and tune PoWER-BERT's progressive word-vector elimination (Goyal et al., ICML 2020) "
               "on BERT models: which word vectors survive each encoder layer, their significance, the "
               "diffusion of information, and what elimination does to the prediction and the cost.</p>"
               "<table>"
               "<tr><td>Qt</td><td>%2 (running on %3)</td></tr>"
               "<tr><td>Eigen</td><td>%4</td></tr>"
               "<tr><td>QCustomPlot</td><td>%5</td></tr>"
               "<tr><td>nlohmann_json</td><td>%6</td></tr>"
               "</table>")
        .arg(QString::fromLatin1(pb::version()), QStringLiteral(QT_VERSION_STR), QString::fromLatin1(qVersion()), eigen,
             QStringLiteral(QCUSTOMPLOT_VERSION_STR), json);
}

}  // namespace pb::ui
