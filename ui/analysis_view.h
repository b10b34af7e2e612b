#pragma once
// The one interface every view of an analysis implements. The controller hands each new
// (immutable) Analysis to all views; a view never runs the model itself.
#include "core/analysis.h"

#include <QString>
#include <QWidget>

#include <memory>

class QCustomPlot;

namespace pb::ui {

class AnalysisView : public QWidget {
    Q_OBJECT

public:
    using QWidget::QWidget;

    // nullptr clears the view (no model, or the input is empty).
    virtual void setAnalysis(std::shared_ptr<const pb::Analysis> analysis) = 0;
    // An original token position to emphasise in every view; -1 for none.
    virtual void setHighlightedPosition(int position) { (void)position; }
    virtual QString title() const = 0;
    // The plot, for PNG/PDF/SVG export and the clipboard; nullptr when the view is not a plot,
    // in which case exportWidget() is rendered instead.
    virtual QCustomPlot* plot() const { return nullptr; }
    virtual QWidget* exportWidget() { return this; }
    // The view's data as CSV (header line first).
    virtual QString tableCsv() const = 0;

signals:
    // The user clicked a token (original position in the encoding).
    void positionClicked(int position);
};

}  // namespace pb::ui
