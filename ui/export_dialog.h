#pragma once
// The save dialogs of the exports (main window views, Dataset panel plots and results): one
// remembered folder ("export/lastFolder"), file names made from view titles, and the image
// format's suffix added from the chosen filter when the name has none.
#include <QString>

class QWidget;

namespace pb::ui {

// "MI vs rank" -> "mi-vs-rank": lower case, runs of other characters as one '-'.
QString fileSlug(const QString& title);

// The folder of the last export (the home folder at first), and remembering a written file's.
QString lastExportFolder();
void rememberExportFolder(const QString& writtenPath);

// Asks where to write an image (PNG, PDF or SVG), proposing lastExportFolder()/stem.png; empty
// when cancelled.
QString askImageExportPath(QWidget* parent, const QString& caption, const QString& stem);

// The same for one kind of file (CSV, JSON): proposes lastExportFolder()/fileName and adds
// fileName's suffix to a name without one.
QString askExportPath(QWidget* parent, const QString& caption, const QString& fileName, const QString& filter);

}  // namespace pb::ui
