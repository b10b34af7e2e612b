#include "core/train/training_loop.h"

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/glue_metrics.h"
#include "core/safetensors.h"
#include "core/train/batch_gradients.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <limits>
#include <numeric>
#include <random>
#include <sstream>

namespace pb::train {
namespace {

using Clock = std::chrono::steady_clock;

uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// The order of the training examples in an epoch: a Fisher-Yates shuffle on raw 64-bit draws
// (the same on every platform).
std::vector<size_t> epoch_order(size_t count, uint64_t seed, int epoch) {
    std::vector<size_t> order(count);
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(mix(seed ^ (0xA0761D6478BD642Full * uint64_t(epoch + 1))));
    for (size_t i = count; i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
    return order;
}

std::string duration_text(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "?";
    const long s = std::lround(seconds);
    std::ostringstream out;
    if (s >= 3600) out << s / 3600 << "h" << (s % 3600) / 60 << "m";
    else if (s >= 60) out << s / 60 << "m" << s % 60 << "s";
    else out << s << "s";
    return out.str();
}

// Where the run is, for the progress text: "epoch 2/3", or for pre-training, whose passes are
// shuffled together into one epoch, how many passes' worth it has seen ("passes 1.89/4").
std::string position_text(const TrainSettings& s, int epoch, double epoch_done) {
    std::ostringstream out;
    if (s.passes > 1) out << "passes " << std::fixed << std::setprecision(2) << epoch_done * s.passes << "/" << s.passes;
    else out << "epoch " << epoch + 1 << "/" << s.epochs;
    return out.str();
}

// A checkpoint resumes only under the same settings and data, distillation targets included.
nlohmann::json fingerprint(const TrainableBert& model, const TrainSettings& s, const std::vector<TrainExample>& train) {
    const size_t train_size = train.size();
    double targets = 0;
    for (const auto& e : train)
        for (size_t c = 0; c < e.target.size(); ++c) targets += double(e.target[c]) * double(c + 1);
    return {{"targets", targets}, {"distill_weight", s.distill.weight}, {"distill_temperature", s.distill.temperature},
            {"with_full_pass", s.with_full_pass},
            {"mode", int(s.mode)},       {"keep", s.keep},          {"epochs", s.epochs},
            {"batch", s.batch},          {"lr_bert", s.lr_bert},    {"lr_retention", s.lr_retention},
            {"lambda", s.lambda},        {"seed", s.seed},          {"train_examples", train_size},
            {"parameters", model.layout.total}, {"dropout", s.dropout}, {"warmup", s.warmup_fraction},
            {"masked_lm", s.masked_lm}};
}

nlohmann::json to_json(const EpochRecord& r) {
    nlohmann::json j = {{"epoch", r.epoch},   {"train_loss", r.train_loss}, {"penalty", r.penalty},
                        {"metric", r.metric_name}, {"dev_metric", r.dev_metric}, {"retention_mass", r.mass},
                        {"seconds", r.seconds}, {"examples_per_second", r.examples_per_second}};
    if (r.full_dev_metric) j["dev_metric_without_elimination"] = *r.full_dev_metric;
    return j;
}

EpochRecord record_from_json(const nlohmann::json& j) {
    EpochRecord r;
    r.epoch = j.at("epoch");
    r.train_loss = j.at("train_loss");
    r.penalty = j.at("penalty");
    r.metric_name = j.at("metric");
    r.dev_metric = j.at("dev_metric");
    if (j.contains("dev_metric_without_elimination")) r.full_dev_metric = j.at("dev_metric_without_elimination").get<double>();
    r.mass = j.at("retention_mass").get<std::vector<double>>();
    r.seconds = j.at("seconds");
    r.examples_per_second = j.at("examples_per_second");
    return r;
}

struct Position {
    int epoch = 0;        // 0-based epoch in progress
    size_t batch = 0;     // batches of it already done
    double loss_sum = 0;  // their summed loss and examples: a resumed epoch still reports its whole mean
    size_t seen = 0;
};

void save_checkpoint(const std::filesystem::path& dir, const TrainableBert& model, AdamW& adam, const Position& at,
                     const TrainOutcome& outcome, const nlohmann::json& print) {
    std::filesystem::create_directories(dir);
    const std::string id = std::to_string(adam.step()) + "-" + std::to_string(at.epoch) + "-" + std::to_string(at.batch);
    std::vector<TensorToWrite> table;
    for (const auto& s : model.layout.tensors) {
        table.push_back({"param/" + s.name, s.shape, {model.values.data() + s.offset, s.size}, DType::F32});
        table.push_back({"adam_m/" + s.name, s.shape, {adam.first_moment().data() + s.offset, s.size}, DType::F32});
        table.push_back({"adam_v/" + s.name, s.shape, {adam.second_moment().data() + s.offset, s.size}, DType::F32});
    }
    write_safetensors(dir / "state.safetensors", table, {{"state_id", id}});
    nlohmann::json j;
    j["state_id"] = id;
    j["step"] = adam.step();
    j["epoch"] = at.epoch;
    j["batches_done"] = at.batch;
    j["epoch_loss_sum"] = at.loss_sum;
    j["epoch_examples"] = at.seen;
    j["best_metric"] = outcome.best_metric;
    j["best_epoch"] = outcome.best_epoch;
    j["epochs"] = nlohmann::json::array();
    for (const auto& r : outcome.epochs) j["epochs"].push_back(to_json(r));
    j["fingerprint"] = print;
    write_file_atomically(dir / "state.json", j.dump(1) + "\n");
}

// Restores weights, moments and position; false when there is no usable checkpoint.
bool load_checkpoint(const std::filesystem::path& dir, TrainableBert& model, AdamW& adam, Position& at,
                     TrainOutcome& outcome, const nlohmann::json& print, const TrainLog& log) {
    const auto state_json = dir / "state.json", state = dir / "state.safetensors";
    if (!std::filesystem::exists(state_json) || !std::filesystem::exists(state)) return false;
    std::ifstream in(state_json);
    auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.contains("fingerprint")) return false;
    if (j["fingerprint"] != print) {
        if (log) log("checkpoint in " + dir.string() + " is from other settings; starting afresh");
        return false;
    }
    SafetensorsFile file(state);
    auto meta = file.metadata().find("state_id");
    if (meta == file.metadata().end() || meta->second != j["state_id"].get<std::string>()) {
        if (log) log("checkpoint in " + dir.string() + " is incomplete (interrupted write); starting afresh");
        return false;
    }
    for (const auto& s : model.layout.tensors) {
        for (auto [prefix, target] : {std::pair{"param/", &model.values}, std::pair{"adam_m/", &adam.first_moment()},
                                      std::pair{"adam_v/", &adam.second_moment()}}) {
            const TensorView* t = file.find(prefix + s.name);
            if (!t || t->shape != s.shape) throw Error(state.string() + ": " + prefix + s.name + " missing or mis-sized");
            auto values = to_float32(*t, state);
            std::copy(values.begin(), values.end(), target->begin() + s.offset);
        }
    }
    adam.set_step(j["step"].get<int64_t>());
    at.epoch = j["epoch"];
    at.batch = j["batches_done"];
    at.loss_sum = j.value("epoch_loss_sum", 0.0);
    at.seen = j.value("epoch_examples", size_t(0));
    outcome.best_metric = j["best_metric"];
    outcome.best_epoch = j["best_epoch"];
    for (const auto& r : j["epochs"]) outcome.epochs.push_back(record_from_json(r));
    outcome.resumed = true;
    return true;
}

}  // namespace

std::pair<std::string, double> evaluate(const TrainableBert& model, const std::vector<TrainExample>& dev,
                                        const PassSettings& pass, GlueTask task) {
    if (dev.empty()) return {"none", 0.0};
    std::vector<PassItem> items;
    for (const auto& e : dev) items.push_back({&e, 0});
    PassSettings eval = pass;
    eval.hidden_dropout = eval.attention_dropout = 0;
    eval.distill = {};  // the dev metric needs no teacher
    auto out = predict(model, items, eval);
    if (pass.masked_lm) return {"masked-LM accuracy", out.mlm_rows ? double(out.mlm_correct) / double(out.mlm_rows) : 0.0};
    std::vector<double> predicted(dev.size()), gold(dev.size());
    for (size_t i = 0; i < dev.size(); ++i) {
        gold[i] = dev[i].label;
        if (model.config.regression) {
            predicted[i] = out.logits(i, 0);
        } else {
            Eigen::Index best = 0;
            out.logits.row(i).maxCoeff(&best);
            predicted[i] = double(best);
        }
    }
    auto metrics = glue_metrics(task, predicted, gold);
    return {metrics.front().name, metrics.front().value};
}

TrainOutcome train_model(TrainableBert& model, const std::vector<TrainExample>& train,
                         const std::vector<TrainExample>& dev, const TrainSettings& s, const Progress& progress,
                         const TrainLog& log, const BestCallback& on_best, const TrainObserver& observer) {
    if (train.empty()) throw Error("training: no training examples");
    if (s.batch < 1 || s.epochs < 1 || s.accumulation < 1) throw Error("training: batch, epochs and accumulation must be >= 1");
    if (s.mode == ExtractMode::Soft && model.layout.retention.empty())
        throw Error("configuration search: the model has no Soft-Extract parameters");
    if (s.with_full_pass && s.mode != ExtractMode::Hard)
        throw Error("training: a full pass alongside is for re-training with Extract layers only");
    PassSettings pass;
    pass.mode = s.mode;
    pass.keep = s.keep;
    pass.masked_lm = s.masked_lm;
    pass.distill = s.distill;
    if (s.dropout) {
        pass.hidden_dropout = model.hidden_dropout;
        pass.attention_dropout = model.attention_dropout;
    }
    PassSettings full_pass = pass;
    full_pass.mode = ExtractMode::None;
    full_pass.keep.clear();
    const float share = s.with_full_pass ? 0.5f : 1.0f;  // of each pass in the step's loss

    const size_t batches_per_epoch = (train.size() + s.batch - 1) / s.batch;
    const int64_t total_steps = int64_t(batches_per_epoch) * s.epochs;
    const LinearSchedule schedule = make_schedule(total_steps, s.warmup_fraction);
    AdamW adam(model.layout, s.adam);
    TrainOutcome outcome;
    Position at;
    const auto print = fingerprint(model, s, train);
    if (!s.checkpoint_dir.empty() && s.resume && load_checkpoint(s.checkpoint_dir, model, adam, at, outcome, print, log)) {
        if (log)
            log("resumed from " + s.checkpoint_dir.string() + " at step " + std::to_string(adam.step()) + " (epoch " +
                std::to_string(at.epoch + 1) + ", batch " + std::to_string(at.batch) + ")");
        if (observer.on_epoch)
            for (const auto& r : outcome.epochs) observer.on_epoch(r);
    }

    BatchGradients gradients(s.chunks);
    std::vector<float> grads(model.layout.total);
    auto checkpoint = [&] {
        if (!s.checkpoint_dir.empty()) save_checkpoint(s.checkpoint_dir, model, adam, at, outcome, print);
    };
    const auto run_start = Clock::now();
    size_t examples_this_run = 0;
    // The epoch's mean loss moves slowly late in a long epoch (pre-training runs all its passes as
    // one); the progress text also shows a moving average over about the last 50 steps.
    double recent_loss = std::numeric_limits<double>::quiet_NaN();

    for (; at.epoch < s.epochs; ++at.epoch, at.batch = 0, at.loss_sum = 0, at.seen = 0) {
        const auto order = epoch_order(train.size(), s.seed, at.epoch);
        const auto epoch_start = Clock::now();
        double& loss_sum = at.loss_sum;
        size_t& seen = at.seen;
        size_t ran = 0;  // examples of this epoch run since this call started (for the rate)
        for (; at.batch < batches_per_epoch; ++at.batch) {
            const size_t from = at.batch * s.batch, count = std::min(size_t(s.batch), train.size() - from);
            const int64_t step = adam.step() + 1;
            std::fill(grads.begin(), grads.end(), 0.0f);
            std::vector<PassItem> items(count);
            for (size_t i = 0; i < count; ++i)
                items[i] = {&train[order[from + i]], mix(s.seed ^ mix(uint64_t(step) * 0x9E3779B97F4A7C15ull + i))};
            const size_t micro = (count + s.accumulation - 1) / s.accumulation;
            double step_loss = 0;
            for (size_t m = 0; m < count; m += micro) {
                const size_t n = std::min(micro, count - m);
                const auto micro_items = std::span(items).subspan(m, n);
                step_loss += share * gradients.accumulate(model, micro_items, pass, share / float(count), grads).loss_sum;
                if (s.with_full_pass)
                    step_loss +=
                        share * gradients.accumulate(model, micro_items, full_pass, share / float(count), grads).loss_sum;
            }
            loss_sum += step_loss;
            const double batch_loss = step_loss / double(count);
            recent_loss = std::isnan(recent_loss) ? batch_loss : 0.98 * recent_loss + 0.02 * batch_loss;
            if (s.mode == ExtractMode::Soft) add_retention_penalty(model.layout, model.values, grads, s.lambda);
            const double f = schedule.factor(step);
            adam.update(model.layout, model.values, grads, s.lr_bert * f, s.lr_retention * f);
            if (s.mode == ExtractMode::Soft) clip_retention(model.layout, model.values);
            seen += count;
            ran += count;
            examples_this_run += count;

            const double elapsed = std::chrono::duration<double>(Clock::now() - run_start).count();
            const double rate = examples_this_run / std::max(elapsed, 1e-9);
            const double left = double(total_steps - step) * s.batch / std::max(rate, 1e-9);
            std::ostringstream msg;
            msg.precision(4);
            msg << position_text(s, at.epoch, double(at.batch + 1) / double(batches_per_epoch)) << " step " << step << "/"
                << total_steps << " loss " << loss_sum / double(seen) << " (recent " << recent_loss << ") "
                << std::lround(rate) << " ex/s ETA " << duration_text(left);
            if (observer.on_step)
                observer.on_step({at.epoch + 1, step, total_steps, count, batch_loss,
                                  model.retention_mass(), rate, left});
            if (s.checkpoint_every > 0 && step % s.checkpoint_every == 0) {
                at.batch += 1;  // the position after this batch
                checkpoint();
                at.batch -= 1;
            }
            try {
                report(progress, size_t(step), size_t(total_steps), msg.str());
            } catch (const Cancelled&) {
                at.batch += 1;
                checkpoint();
                throw;
            }
        }
        EpochRecord record;
        record.epoch = at.epoch + 1;
        record.train_loss = seen ? loss_sum / double(seen) : 0;
        record.mass = model.retention_mass();
        for (size_t j = 0; j < record.mass.size(); ++j) record.penalty += s.lambda * double(j + 1) * record.mass[j];
        record.seconds = std::chrono::duration<double>(Clock::now() - epoch_start).count();
        record.examples_per_second = ran / std::max(record.seconds, 1e-9);
        std::tie(record.metric_name, record.dev_metric) = evaluate(model, dev, pass, s.task);
        if (s.with_full_pass && !dev.empty()) record.full_dev_metric = evaluate(model, dev, full_pass, s.task).second;
        outcome.epochs.push_back(record);
        if (observer.on_epoch) observer.on_epoch(record);
        if (log) {
            std::ostringstream line;
            line.precision(4);
            line << "epoch " << record.epoch << ": train loss " << record.train_loss;
            if (dev.empty()) line << " (no dev set)";
            else line << ", dev " << record.metric_name << " " << record.dev_metric;
            if (record.full_dev_metric) line << " (without elimination " << *record.full_dev_metric << ")";
            if (!record.mass.empty()) {
                line << ", penalty " << record.penalty << ", r mass per layer [";
                for (size_t j = 0; j < record.mass.size(); ++j) line << (j ? ", " : "") << record.mass[j];
                line << "]";
            }
            line << " (" << std::lround(record.examples_per_second) << " ex/s)";
            log(line.str());
        }
        if (record.dev_metric > outcome.best_metric || outcome.best_epoch == 0) {
            outcome.best_metric = record.dev_metric;
            outcome.best_epoch = record.epoch;
            if (on_best) on_best(model, record);
        }
        at.batch = batches_per_epoch;
        Position next{at.epoch + 1, 0};
        std::swap(at, next);
        checkpoint();
        std::swap(at, next);
    }
    outcome.steps = adam.step();
    return outcome;
}

}  // namespace pb::train
