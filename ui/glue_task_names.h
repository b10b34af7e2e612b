#pragma once
// GLUE task names for the forms that offer a task (Dataset panel, search window).
#include "core/glue_dataset.h"

#include <QString>

class QComboBox;

namespace pb::ui {

QString glueTaskName(pb::GlueTask task);

// One item per task (pb::kGlueTasks), its name as text and int(task) as data.
void addGlueTaskItems(QComboBox* combo);

}  // namespace pb::ui
