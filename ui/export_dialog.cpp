#include "ui/export_dialog.h"

#include "ui/plot_export.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QSettings>

namespace pb::ui {
namespace {

const char* kExportDirSetting = "export/lastFolder";

}  // namespace

QString fileSlug(const QString& title) {
    QString out;
    for (QChar c : title.toLower()) out += c.isLetterOrNumber() ? c : QLatin1Char('-');
    while (out.contains(QStringLiteral("--"))) out.replace(QStringLiteral("--"), QStringLiteral("-"));
    while (out.endsWith(QLatin1Char('-'))) out.chop(1);
    while (out.startsWith(QLatin1Char('-'))) out.remove(0, 1);
    return out.isEmpty() ? QStringLiteral("view") : out;
}

QString lastExportFolder() {
    return QSettings().value(QString::fromLatin1(kExportDirSetting), QDir::homePath()).toString();
}

void rememberExportFolder(const QString& writtenPath) {
    QSettings().setValue(QString::fromLatin1(kExportDirSetting), QFileInfo(writtenPath).path());
}

QString askImageExportPath(QWidget* parent, const QString& caption, const QString& stem) {
    const QString png = QObject::tr("PNG image (*.png)"), pdf = QObject::tr("PDF document (*.pdf)"),
                  svg = QObject::tr("SVG drawing (*.svg)");
    QString filter = png;
    QString path = QFileDialog::getSaveFileName(parent, caption, lastExportFolder() + QLatin1Char('/') + stem + QStringLiteral(".png"),
                                                png + QStringLiteral(";;") + pdf + QStringLiteral(";;") + svg, &filter);
    if (!path.isEmpty() && !imageFormatForPath(path))
        path += filter == pdf ? QStringLiteral(".pdf") : filter == svg ? QStringLiteral(".svg") : QStringLiteral(".png");
    return path;
}

QString askExportPath(QWidget* parent, const QString& caption, const QString& fileName, const QString& filter) {
    QString path = QFileDialog::getSaveFileName(parent, caption, lastExportFolder() + QLatin1Char('/') + fileName, filter);
    if (!path.isEmpty() && QFileInfo(path).suffix().isEmpty()) path += QLatin1Char('.') + QFileInfo(fileName).suffix();
    return path;
}

}  // namespace pb::ui
