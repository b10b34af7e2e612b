#pragma once
// The application's version and the Help > About text (versions of the libraries it was built with).
#include <QString>

namespace pb::ui {

inline constexpr const char* kStudioVersion = "0.1.0";  // keep in step with project(VERSION) in CMakeLists.txt

// Rich text: app version, Qt (built with / running), Eigen, QCustomPlot, nlohmann_json.
QString aboutText();

}  // namespace pb::ui
