#include "ui/retention_undo_command.h"

#include <utility>

namespace pb::ui {

RetentionUndoCommand::RetentionUndoCommand(RetentionEditor* editor, RetentionEditor::State before,
                                           RetentionEditor::State after, const QString& description, int key)
    : editor_(editor), before_(std::move(before)), after_(std::move(after)), key_(key) {
    setText(description);
}

void RetentionUndoCommand::undo() {
    if (editor_) editor_->setState(before_);
}

// QUndoStack::push runs this once on an edit already made: setting the same state again changes nothing.
void RetentionUndoCommand::redo() {
    if (editor_) editor_->setState(after_);
}

int RetentionUndoCommand::id() const { return key_ == RetentionEditor::kNoMerge ? -1 : key_; }

bool RetentionUndoCommand::mergeWith(const QUndoCommand* other) {
    const auto* next = dynamic_cast<const RetentionUndoCommand*>(other);
    if (!next || next->key_ != key_ || next->editor_ != editor_) return false;
    after_ = next->after_;
    setText(next->text());
    setObsolete(after_ == before_);
    return true;
}

}  // namespace pb::ui
