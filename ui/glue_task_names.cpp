#include "ui/glue_task_names.h"

#include <QComboBox>

namespace pb::ui {

QString glueTaskName(pb::GlueTask task) {
    const std::string_view name = pb::glue_task_name(task);
    return QString::fromUtf8(name.data(), qsizetype(name.size()));
}

void addGlueTaskItems(QComboBox* combo) {
    for (pb::GlueTask task : pb::kGlueTasks) combo->addItem(glueTaskName(task), int(task));
}

}  // namespace pb::ui
