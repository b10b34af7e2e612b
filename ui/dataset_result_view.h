#pragma once
// The interface of the Dataset panel's result views (summary, diffusion, MI vs rank, ablation,
// trade-off): each shows its own slot of the DatasetResults, exports its plot like the sentence
// views (ui/plot_export.h) and gives its result as the core's JSON. Views follow the palette.
#include "ui/dataset_job.h"

#include <nlohmann/json.hpp>

#include <QEvent>
#include <QString>
#include <QWidget>

#include <memory>

class QCustomPlot;

namespace pb::ui {

class DatasetResultView : public QWidget {
    Q_OBJECT

public:
    using QWidget::QWidget;

    virtual QString title() const = 0;
    // What the plot export renders.
    virtual QCustomPlot* plot() const = 0;
    // Takes the view's own slot; cheap when that slot did not change.
    virtual void setResults(const DatasetResults& results) = 0;
    virtual bool hasResult() const = 0;
    // The core's to_json of the shown result (null without one).
    virtual nlohmann::json resultJson() const = 0;

protected:
    // Rebuilds the plot in the current palette's colours.
    virtual void refresh() = 0;

    void changeEvent(QEvent* event) override {
        QWidget::changeEvent(event);
        if (event->type() == QEvent::PaletteChange) refresh();
    }
};

// What every view has alike: it keeps its slot of DatasetResults (`Slot`) and serialises it with
// the core's to_json.
template <class Result, std::shared_ptr<const Result> DatasetResults::*Slot>
class DatasetSlotView : public DatasetResultView {
public:
    using DatasetResultView::DatasetResultView;

    void setResults(const DatasetResults& results) override {
        if (results.*Slot == result_) return;
        result_ = results.*Slot;
        refresh();
    }
    bool hasResult() const override { return result_ != nullptr; }
    nlohmann::json resultJson() const override { return result_ ? pb::to_json(*result_) : nlohmann::json(); }

protected:
    std::shared_ptr<const Result> result_;
};

}  // namespace pb::ui
