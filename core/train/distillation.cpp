#include "core/train/distillation.h"

#include "core/error.h"
#include "core/train/batch_gradients.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace pb::train {

Mat<float> teacher_logits(const TrainableBert& teacher, std::span<const TrainExample> examples,
                          const Progress& progress) {
    if (teacher.config.regression) throw Error("distillation: the teacher is a regression model");
    Mat<float> logits(static_cast<Eigen::Index>(examples.size()), teacher.config.num_labels);
    // Pieces of 1024 examples keep the progress moving; predict parallelises inside each.
    constexpr size_t kPiece = 1024;
    for (size_t from = 0; from < examples.size(); from += kPiece) {
        report(progress, from, examples.size(),
               "distillation: teacher predictions " + std::to_string(from) + "/" + std::to_string(examples.size()));
        const size_t count = std::min(kPiece, examples.size() - from);
        std::vector<PassItem> items(count);
        for (size_t i = 0; i < count; ++i) items[i].example = &examples[from + i];
        logits.middleRows(static_cast<Eigen::Index>(from), static_cast<Eigen::Index>(count)) =
            predict(teacher, items, PassSettings{}).logits;
    }
    report(progress, examples.size(), examples.size(),
           "distillation: teacher predictions " + std::to_string(examples.size()) + "/" + std::to_string(examples.size()));
    return logits;
}

void attach_teacher_targets(std::vector<TrainExample>& examples, const Mat<float>& logits, double temperature) {
    if (!(temperature > 0 && std::isfinite(temperature)))
        throw Error("distillation temperature " + std::to_string(temperature) + " is not a number > 0");
    if (logits.rows() != static_cast<Eigen::Index>(examples.size()))
        throw Error("distillation: " + std::to_string(logits.rows()) + " teacher predictions for " +
                    std::to_string(examples.size()) + " examples");
    const Eigen::Index C = logits.cols();
    for (size_t i = 0; i < examples.size(); ++i) {
        auto& e = examples[i];
        const int label = static_cast<int>(e.label);
        if (label < 0 || label >= C || float(label) != e.label)
            throw Error("distillation: example " + std::to_string(i + 1) + " has label " + std::to_string(e.label) +
                        ", not a class of the teacher's " + std::to_string(C));
        const Eigen::RowVectorXd z = logits.row(static_cast<Eigen::Index>(i)).cast<double>() / temperature;
        Eigen::RowVectorXd p = (z.array() - z.maxCoeff()).exp().matrix();
        p /= p.sum();
        e.target.assign(p.data(), p.data() + C);
    }
}

}  // namespace pb::train
