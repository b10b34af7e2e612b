#include "ui/app_palette.h"

#include <QApplication>
#include <QStyle>

namespace pb::ui {

QPalette lightPalette() {
    QPalette p = QApplication::style() ? QApplication::style()->standardPalette() : QPalette();
    p.setColor(QPalette::Link, QColor(0x1f, 0x5f, 0xae));
    p.setColor(QPalette::Highlight, QColor(0x30, 0x78, 0xc8));
    p.setColor(QPalette::HighlightedText, Qt::white);
    return p;
}

QPalette darkPalette() {
    const QColor window(0x2b, 0x2d, 0x31), base(0x1e, 0x1f, 0x22), alternate(0x33, 0x35, 0x3a);
    const QColor text(0xe6, 0xe6, 0xe6), disabled(0x80, 0x80, 0x86), button(0x3a, 0x3c, 0x41);
    QPalette p;
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, alternate);
    p.setColor(QPalette::ToolTipBase, QColor(0x40, 0x42, 0x48));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, disabled);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, button);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    p.setColor(QPalette::Link, QColor(0x6c, 0xb4, 0xff));
    p.setColor(QPalette::LinkVisited, QColor(0xb0, 0x8c, 0xff));
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x8e, 0xe0));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Light, QColor(0x4a, 0x4c, 0x52));
    p.setColor(QPalette::Midlight, QColor(0x40, 0x42, 0x48));
    p.setColor(QPalette::Mid, QColor(0x2f, 0x31, 0x35));
    p.setColor(QPalette::Dark, QColor(0x1a, 0x1b, 0x1e));
    p.setColor(QPalette::Shadow, QColor(0x0f, 0x0f, 0x11));
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabled);
    p.setColor(QPalette::Disabled, QPalette::Base, window);
    p.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x50, 0x52, 0x58));
    return p;
}

void applyStudioPalette(bool dark) { QApplication::setPalette(dark ? darkPalette() : lightPalette()); }

bool isDarkPalette(const QPalette& palette) { return palette.color(QPalette::Window).lightness() < 128; }

}  // namespace pb::ui
