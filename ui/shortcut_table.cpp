#include "ui/shortcut_table.h"

#include <QAction>
#include <QMenu>
#include <QMenuBar>

namespace pb::ui {
namespace {

void collect(const QMenu& menu, const QString& path, std::vector<ShortcutEntry>& out) {
    for (QAction* action : menu.actions()) {
        if (action->isSeparator()) continue;
        if (QMenu* sub = action->menu()) {
            collect(*sub, path + QStringLiteral(" › ") + action->iconText(), out);
            continue;
        }
        QStringList keys;
        for (const QKeySequence& k : action->shortcuts()) keys << k.toString(QKeySequence::NativeText);
        if (!keys.isEmpty()) out.push_back({path, action->iconText(), keys.join(QStringLiteral(", "))});
    }
}

}  // namespace

std::vector<ShortcutEntry> menuShortcuts(const QMenuBar& bar) {
    std::vector<ShortcutEntry> out;
    for (QAction* top : bar.actions())
        if (QMenu* menu = top->menu()) collect(*menu, top->iconText(), out);
    return out;
}

QString shortcutTableHtml(const std::vector<ShortcutEntry>& entries) {
    QString html = QStringLiteral("<table cellspacing=\"0\" cellpadding=\"3\">");
    QString previousMenu;
    for (const ShortcutEntry& e : entries) {
        const QString menu = e.menu == previousMenu ? QString() : QStringLiteral("<b>%1</b>").arg(e.menu.toHtmlEscaped());
        previousMenu = e.menu;
        html += QStringLiteral("<tr><td>%1</td><td>%2</td><td><tt>%3</tt></td></tr>")
                    .arg(menu, e.action.toHtmlEscaped(), e.keys.toHtmlEscaped());
    }
    html += QStringLiteral("</table><p>Elsewhere: <tt>Esc</tt> cancels a running dataset analysis; in the sentence "
                           "field <tt>Ctrl+Z</tt> undoes the typing; <tt>Alt</tt> + an underlined letter moves to that "
                           "field or button.</p>");
    return html;
}

}  // namespace pb::ui
