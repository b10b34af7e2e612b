#pragma once
// Help > Keyboard shortcuts: every menu action that has a shortcut, read from the menus themselves
// (so the list follows the menus), with the keys in the platform's own notation.
#include <QString>

#include <vector>

class QMenuBar;

namespace pb::ui {

struct ShortcutEntry {
    QString menu;    // "Edit"
    QString action;  // "Undo": QAction::iconText(), the text without its mnemonic '&'
    QString keys;    // "Ctrl+Z"; several sequences joined by ", "
};

std::vector<ShortcutEntry> menuShortcuts(const QMenuBar& bar);
// Rich text: one table row per entry, then the shortcuts that belong to widgets rather than menus.
QString shortcutTableHtml(const std::vector<ShortcutEntry>& entries);

}  // namespace pb::ui
