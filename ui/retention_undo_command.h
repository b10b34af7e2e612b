#pragma once
// One undoable edit of the retention editor: the editor's state before and after it. Consecutive
// edits with the same key (the steps of one spin box) merge into one, so that holding an arrow key
// is undone in one step; a merge that returns to where it began drops out of the history.
#include "ui/retention_editor.h"

#include <QPointer>
#include <QUndoCommand>

namespace pb::ui {

class RetentionUndoCommand : public QUndoCommand {
public:
    RetentionUndoCommand(RetentionEditor* editor, RetentionEditor::State before, RetentionEditor::State after,
                         const QString& description, int key);

    void undo() override;
    void redo() override;
    int id() const override;
    bool mergeWith(const QUndoCommand* other) override;

private:
    QPointer<RetentionEditor> editor_;
    RetentionEditor::State before_;
    RetentionEditor::State after_;
    int key_;
};

}  // namespace pb::ui
