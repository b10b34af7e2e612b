#include "core/train/training_steps.h"

#include "core/atomic_file.h"
#include "core/elimination.h"
#include "core/error.h"
#include "core/tokenizer.h"
#include "core/train/distillation.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <sstream>

namespace pb::train {
namespace {

std::string step_name(TrainStep s) {
    switch (s) {
    case TrainStep::Finetune: return "finetune";
    case TrainStep::Search: return "search";
    case TrainStep::Retrain: return "retrain";
    }
    return "?";
}

std::vector<TrainExample> encode_dataset(const GlueDataset& data, const Tokenizer& tokenizer, int max_length,
                                         size_t limit) {
    std::vector<TrainExample> out;
    for (const auto& e : data.examples) {
        if (limit && out.size() >= limit) break;
        if (!e.label)
            throw Error(data.file.string() + ":" + std::to_string(e.line) + ": no label (training needs labelled files)");
        auto enc = tokenizer.encode(e.text_a, e.text_b ? std::optional<std::string_view>(*e.text_b) : std::nullopt,
                                    max_length);
        TrainExample example;
        example.ids = std::move(enc.ids);
        example.type_ids = std::move(enc.type_ids);
        example.label = *e.label;
        out.push_back(std::move(example));
    }
    return out;
}

std::string format_number(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

// "ft" for "runs/ft" and "runs/ft/" alike.
std::string folder_name(const std::filesystem::path& folder) {
    const auto name = folder.filename();
    return (name.empty() ? folder.parent_path().filename() : name).string();
}

// Gives every example of `train` (encoded from `data` with the student's tokenizer) the teacher's
// class probabilities; the teacher reads the text with its own tokenizer.
void add_teacher_targets(std::vector<TrainExample>& train, const GlueDataset& data, const StepOptions& o,
                         const LoadOptions& task, int max_length, const Progress& progress, const TrainLog& log) {
    if (task.regression.value_or(false)) throw Error("--teacher: distillation needs a classification task");
    if (!(o.distill.weight >= 0 && o.distill.weight <= 1))
        throw Error("--distill-weight " + format_number(o.distill.weight) + " is outside [0, 1]");
    LoadOptions load = task;
    load.require_head = true;
    const TrainableBert teacher = load_trainable_bert(o.teacher, load);
    const auto tokenizer = load_tokenizer(o.teacher);
    const auto examples =
        encode_dataset(data, *tokenizer, std::min(max_length, teacher.config.max_position), o.max_train_examples);
    const Mat<float> logits = teacher_logits(teacher, examples, progress);
    attach_teacher_targets(train, logits, o.distill.temperature);
    size_t agree = 0;
    for (size_t i = 0; i < examples.size(); ++i) {
        Eigen::Index best = 0;
        logits.row(static_cast<Eigen::Index>(i)).maxCoeff(&best);
        agree += best == static_cast<Eigen::Index>(examples[i].label);
    }
    const double share = 100.0 * double(agree) / double(std::max<size_t>(1, examples.size()));
    std::vector<size_t> per_label(size_t(logits.cols()), 0);
    for (const auto& e : examples) ++per_label[size_t(e.label)];
    const double majority = 100.0 * double(*std::max_element(per_label.begin(), per_label.end())) /
                            double(std::max<size_t>(1, examples.size()));
    if (!log) return;
    log("distillation: teacher " + o.teacher.string() + " (weight " + format_number(o.distill.weight) +
        ", temperature " + format_number(o.distill.temperature) + ") agrees with " + format_number(share) +
        "% of the training labels");
    // An untrained classifier (e.g. a pre-trained folder's) loads fine but teaches noise.
    if (share < majority + 5)
        log("warning: the teacher is not clearly better than always answering the most frequent label (" +
            format_number(majority) + "%): is it fine-tuned on this task?");
}

}  // namespace

TaskDefaults reference_defaults(GlueTask task) {
    switch (task) {
    case GlueTask::CoLA: return {64, 2e-5, 1.5e-3, 7e-3, 32};
    case GlueTask::RTE: return {256, 3e-5, 3e-3, 1e-3, 16};
    case GlueTask::QQP: return {128, 3e-5, 1e-4, 3e-4, 64};
    case GlueTask::MRPC: return {128, 6e-5, 3e-3, 3e-3, 64};
    case GlueTask::SST2: return {64, 3e-5, 5e-4, 2e-4, 64};
    case GlueTask::MNLI: return {128, 3e-5, 2e-4, 1e-4, 64};
    case GlueTask::QNLI: return {128, 3e-5, 2e-4, 1.5e-4, 16};
    case GlueTask::STSB: return {64, 3e-5, 3e-3, 1e-3, 64};
    default: return {128, 3e-5, 1e-4, 1e-4, 32};
    }
}

std::vector<int> configuration_from_mass(std::span<const double> mass, int max_length) {
    std::vector<int> keep;
    for (double m : mass) {
        int k = std::clamp(static_cast<int>(std::floor(m + 1e-9)), 1, std::max(1, max_length));
        if (!keep.empty()) k = std::min(k, keep.back());
        keep.push_back(k);
    }
    return keep;
}

CollapseReport detect_collapse(const TrainableBert& model, double finetuned_metric, double soft_metric,
                               double hard_metric) {
    CollapseReport r;
    const auto mass = model.retention_mass();
    for (size_t j = 0; j < mass.size(); ++j) {
        const auto& slot = model.layout.tensors[model.layout.retention[j]];
        const float* v = model.values.data() + slot.offset;
        const float top = *std::max_element(v, v + slot.size);
        if (mass[j] < 1.0 && top < 0.5f) r.layers.push_back(static_cast<int>(j) + 1);
    }
    const bool holds = soft_metric >= finetuned_metric - 0.05;
    r.collapsed = !r.layers.empty() && holds;
    r.unfaithful = hard_metric < soft_metric - 0.05;
    std::ostringstream msg;
    if (r.collapsed) {
        msg << "r collapse: layer(s)";
        for (int l : r.layers) msg << " " << l;
        msg << " have mass < 1 with every r below 0.5 while the dev metric holds (" << soft_metric << " vs "
            << finetuned_metric << " fine-tuned): the LayerNorm absorbs the scale, so sum(r) no longer counts word "
            << "vectors there; try a smaller --lambda or --lr-soft.";
    } else if (!r.layers.empty()) {
        msg << "layer(s)";
        for (int l : r.layers) msg << " " << l;
        msg << " have mass < 1 with every r below 0.5, and the dev metric dropped: over-pruned (smaller --lambda).";
    }
    if (r.unfaithful) {
        if (msg.tellp() > 0) msg << " ";
        msg << "The Extract model at the derived configuration scores " << hard_metric << " against " << soft_metric
            << " with Soft-Extract: the masses overstate what can be removed (re-training may recover part of it).";
    }
    if (msg.tellp() == 0) msg << "no r collapse detected";
    r.message = msg.str();
    return r;
}

nlohmann::json run_train_step(const StepOptions& o, const Progress& progress, const TrainLog& log,
                              const TrainObserver& observer) {
    if (o.model.empty() || o.train_file.empty() || o.dev_file.empty() || o.out.empty())
        throw Error("train: --model, --train, --dev and --out are required");
    std::optional<GlueTask> task;
    if (!o.task.empty()) {
        task = glue_task_from_name(o.task);
        if (!task) throw Error("--task: \"" + o.task + "\" is not a GLUE task (cola, sst-2, mrpc, sts-b, qqp, mnli, qnli, rte, generic)");
    }
    GlueDataset train_data = load_glue_tsv(o.train_file, task);
    GlueDataset dev_data = load_glue_tsv(o.dev_file, task ? task : std::optional<GlueTask>(train_data.task));
    const GlueTask t = train_data.task;
    const TaskDefaults defaults = reference_defaults(t);
    const int max_length = o.max_length.value_or(defaults.seq_len);

    LoadOptions load;
    load.num_labels = train_data.num_labels();
    load.regression = train_data.is_regression();
    load.label_names = train_data.label_names;
    load.init_seed = o.seed;
    TrainableBert model = load_trainable_bert(o.model, load);
    for (const auto& note : model.notes)
        if (log) log(note);
    const auto tokenizer = load_tokenizer(o.model);
    const int length = std::min(max_length, model.config.max_position);
    auto train = encode_dataset(train_data, *tokenizer, length, o.max_train_examples);
    auto dev = encode_dataset(dev_data, *tokenizer, length, o.max_dev_examples);
    if (!o.teacher.empty()) add_teacher_targets(train, train_data, o, load, max_length, progress, log);

    TrainSettings s;
    s.epochs = o.epochs.value_or(3);
    s.batch = o.batch.value_or(defaults.batch);
    s.accumulation = o.accumulation;
    s.lr_bert = o.lr.value_or(defaults.lr_bert);
    s.lr_retention = o.lr_soft.value_or(defaults.lr_soft);
    s.lambda = o.lambda.value_or(defaults.lambda);
    s.seed = o.seed;
    s.task = t;
    s.adam.weight_decay = o.weight_decay;
    s.checkpoint_dir = o.out / "checkpoint";
    s.checkpoint_every = o.checkpoint_every;
    s.resume = o.resume;
    s.dropout = o.dropout;
    s.with_full_pass = o.with_full_pass;
    if (!o.teacher.empty()) s.distill = o.distill;

    std::string found_by;
    double finetuned_metric = 0;
    if (o.step == TrainStep::Search) {
        s.mode = ExtractMode::Soft;
        if (model.layout.retention.empty() || model.layout.retention_length != length) model.add_retention(length);
        std::tie(std::ignore, finetuned_metric) = evaluate(model, dev, PassSettings{}, t);
        if (log) log("fine-tuned dev metric (start of the search): " + format_number(finetuned_metric));
    } else {
        model.drop_retention();
        if (o.step == TrainStep::Retrain) {
            RetentionPlan plan;
            if (!o.retention_file.empty()) plan = load_retention_json(o.retention_file, model.config.num_layers);
            else if (std::filesystem::exists(o.model / "retention.json"))
                plan = load_retention_json(o.model / "retention.json", model.config.num_layers);
            else throw Error("train retrain: no --retention-file and no retention.json in " + o.model.string());
            s.mode = ExtractMode::Hard;
            s.keep = plan.keep;
            std::ifstream in(o.retention_file.empty() ? o.model / "retention.json" : o.retention_file);
            auto j = nlohmann::json::parse(in, nullptr, false);
            if (!j.is_discarded() && j.contains("found_by") && j["found_by"].is_string()) found_by = j["found_by"];
        }
    }

    nlohmann::json summary;
    summary["step"] = step_name(o.step);
    summary["task"] = std::string(glue_task_name(t));
    summary["model"] = o.model.string();
    summary["train_examples"] = train.size();
    summary["dev_examples"] = dev.size();
    summary["settings"] = {{"epochs", s.epochs}, {"batch", s.batch}, {"accumulation", s.accumulation},
                           {"lr_bert", s.lr_bert}, {"max_length", length}, {"seed", s.seed},
                           {"optimizer", "AdamW (bias-corrected), beta 0.9/0.999, eps 1e-6, weight decay " + format_number(o.weight_decay)},
                           {"schedule", "linear warm-up over 10% of the steps, then linear decay to 0"}};
    if (s.mode == ExtractMode::Soft) {
        summary["settings"]["lr_soft"] = s.lr_retention;
        summary["settings"]["lambda"] = s.lambda;
        summary["settings"]["retention_length"] = length;
    }
    if (s.mode == ExtractMode::Hard) summary["settings"]["retention"] = s.keep;
    if (s.with_full_pass) summary["settings"]["with_full_pass"] = true;
    if (!o.teacher.empty())
        summary["settings"]["distillation"] = {{"teacher", o.teacher.string()}, {"weight", o.distill.weight},
                                               {"temperature", o.distill.temperature}};
    for (const auto& note : model.notes) summary["notes"].push_back(note);

    std::filesystem::create_directories(o.out);
    const bool keep_best = o.step != TrainStep::Search;
    auto write_retention = [&](const TrainableBert& m) {
        RetentionPlan plan;
        plan.keep = s.keep;
        std::string by = found_by;
        if (o.step == TrainStep::Retrain)
            by = (found_by.empty() ? std::string("given configuration") : found_by) +
                 "; re-trained with Extract layers (lr " + format_number(s.lr_bert) + ", " + std::to_string(s.epochs) +
                 " epochs" + (s.with_full_pass ? ", a full pass alongside" : "") +
                 (o.teacher.empty() ? std::string()
                                    : ", distilled from " + folder_name(o.teacher) + " (weight " +
                                          format_number(s.distill.weight) + ", T " +
                                          format_number(s.distill.temperature) + ")") +
                 ", best dev checkpoint)";
        (void)m;
        save_retention_json(o.out / "retention.json", plan, by);
    };
    BestCallback on_best;
    if (keep_best)
        on_best = [&](const TrainableBert& m, const EpochRecord& r) {
            save_hf_folder(m, o.out);
            if (o.step == TrainStep::Retrain) write_retention(m);
            if (log) log("saved best dev checkpoint (epoch " + std::to_string(r.epoch) + ", " + r.metric_name + " " +
                         format_number(r.dev_metric) + ") to " + o.out.string());
        };

    TrainOutcome outcome = train_model(model, train, dev, s, progress, log, on_best, observer);

    summary["epochs"] = nlohmann::json::array();
    for (const auto& r : outcome.epochs) {
        nlohmann::json epoch = {{"epoch", r.epoch},         {"train_loss", r.train_loss}, {"dev_metric", r.dev_metric},
                                {"metric", r.metric_name},  {"penalty", r.penalty},       {"retention_mass", r.mass},
                                {"seconds", r.seconds},     {"examples_per_second", r.examples_per_second}};
        if (r.full_dev_metric) epoch["dev_metric_without_elimination"] = *r.full_dev_metric;
        summary["epochs"].push_back(std::move(epoch));
    }
    summary["best_epoch"] = outcome.best_epoch;
    summary["best_dev_metric"] = outcome.best_metric;
    summary["steps"] = outcome.steps;
    summary["resumed"] = outcome.resumed;

    if (o.step == TrainStep::Search) {
        const auto mass = model.retention_mass();
        s.keep = configuration_from_mass(mass, length);
        const double soft_metric = outcome.epochs.empty() ? 0 : outcome.epochs.back().dev_metric;
        PassSettings hard;
        hard.mode = ExtractMode::Hard;
        hard.keep = s.keep;
        const double hard_metric = evaluate(model, dev, hard, t).second;
        const auto collapse = detect_collapse(model, finetuned_metric, soft_metric, hard_metric);
        found_by = "configuration search (Soft-Extract): lambda " + format_number(s.lambda) + ", lr_soft " +
                   format_number(s.lr_retention) + ", lr_bert " + format_number(s.lr_bert) + ", " +
                   std::to_string(s.epochs) + " epochs, N " + std::to_string(length) + ", task " +
                   std::string(glue_task_name(t)) + ", seed " + std::to_string(s.seed);
        save_hf_folder(model, o.out);
        write_retention(model);
        summary["retention"] = s.keep;
        summary["retention_mass"] = mass;
        summary["word_vectors_kept"] = std::accumulate(s.keep.begin(), s.keep.end(), 0);
        summary["finetuned_dev_metric"] = finetuned_metric;
        summary["soft_dev_metric"] = soft_metric;
        summary["extract_dev_metric_at_configuration"] = hard_metric;
        summary["collapse"] = {{"collapsed", collapse.collapsed}, {"unfaithful", collapse.unfaithful},
                               {"layers", collapse.layers}, {"message", collapse.message}};
        if (log) {
            std::string line = "configuration:";
            for (int k : s.keep) line += " " + std::to_string(k);
            log(line + " (Extract dev metric " + format_number(hard_metric) + ", Soft-Extract " +
                format_number(soft_metric) + ")");
            log(collapse.message);
        }
    }
    write_file_atomically(o.out / "training.json", summary.dump(2) + "\n");
    std::error_code ec;
    std::filesystem::remove_all(s.checkpoint_dir, ec);  // the run is complete
    return summary;
}

}  // namespace pb::train
