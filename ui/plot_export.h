#pragma once
// Export of a view: PNG, PDF or SVG of its plot (or of exportWidget() for a view that is not a plot),
// its data as CSV, and the whole analysis as JSON (pb::analysis_to_json, the CLI's schema).
// Everything is rendered into memory first, then written with pb::write_file_atomically: a failed
// export never leaves a truncated file where the previous one was. Failures throw pb::Error naming the file.
#include "core/analysis.h"
#include "ui/analysis_view.h"

#include <QByteArray>
#include <QImage>
#include <QPixmap>
#include <QSize>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace pb::ui {

enum class ImageFormat { Png, Pdf, Svg };

// By the file's suffix (case-insensitive): .png, .pdf, .svg.
std::optional<ImageFormat> imageFormatForPath(const QString& path);
QString suffixOf(ImageFormat format);

// The size a view is exported at: its on-screen size, or 1000 x 650 when it has never been laid out.
QSize exportSize(AnalysisView& view);

// The bytes of the file (PNG at 2x for sharp text; PDF and SVG are vector for plots).
QByteArray renderView(AnalysisView& view, ImageFormat format);
// The view as an image (Edit > Copy plot to clipboard).
QImage viewImage(AnalysisView& view);

void writeFileAtomically(const QString& path, const QByteArray& bytes);
// A widget's grab() (a screenshot) as a PNG file, atomically.
void writePngAtomically(const QString& path, const QPixmap& pixmap);
// Lets the event loop run for a quarter second before a grab(), so that pending layouts and
// queued replots are in the picture.
void settleBeforeGrab();

// Format from the suffix; throws pb::Error for an unknown suffix.
void exportViewImage(AnalysisView& view, const QString& path);
void exportViewCsv(const AnalysisView& view, const QString& path);
void exportAnalysisJson(const pb::Analysis& analysis, const QString& path);

// File > Export all views: into `folder` (created when missing), for view n (1-based) with title T,
// n-T.png, n-T.pdf, n-T.svg and n-T.csv, and analysis.json; returns the files written. The first
// file that cannot be written stops it with pb::Error naming that file.
QStringList exportAllViews(const std::vector<AnalysisView*>& views, const pb::Analysis& analysis, const QString& folder);

// The same for a plot that is not an AnalysisView (the Dataset panel's), at its on-screen size
// (1000 x 650 when hidden).
void exportPlotImage(QCustomPlot& plot, const QString& title, const QString& path);

}  // namespace pb::ui
