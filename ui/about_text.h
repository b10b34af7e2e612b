#pragma once
// The Help > About text: the application's version and those of the libraries it was built with.
#include <QString>

namespace pb::ui {

// Rich text: app version, Qt (built with / running), Eigen, QCustomPlot, nlohmann_json.
QString aboutText();

}  // namespace pb::ui
