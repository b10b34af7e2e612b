// powerbert train pretrain | finetune | search | retrain, and bench-train: the training engine
// (core/train) from the command line, with progress on stderr, the summary JSON on stdout, and
// Ctrl-C stopping at a checkpoint that the same command resumes from.
#include "app/cli_commands.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/train/pretraining.h"
#include "core/train/train_benchmark.h"
#include "core/train/training_steps.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

namespace pb::cli {
namespace {

// A signal handler can reach nothing else: the one flag Ctrl-C sets, read by the progress callback.
std::atomic<bool> g_train_interrupted{false};

// Ctrl-C asks the training loop to stop: it saves a checkpoint (every file is written atomically)
// and the same command resumes from it. A second Ctrl-C exits at once.
void on_train_interrupt(int) {
    if (g_train_interrupted.exchange(true)) std::_Exit(130);
}

// Progress on stderr, at most one line every 2 seconds; false once Ctrl-C was pressed.
pb::Progress train_progress() {
    auto last = std::make_shared<std::chrono::steady_clock::time_point>();
    return [last](size_t done, size_t total, std::string_view message) {
        const auto now = std::chrono::steady_clock::now();
        if (done == total || now - *last >= std::chrono::seconds(2)) {
            *last = now;
            std::cerr << "powerbert: " << message << '\n';
        }
        return !g_train_interrupted.load();
    };
}

using TrainRun = std::function<nlohmann::json(const pb::Progress&, const pb::train::TrainLog&)>;

int run_train_cli(const TrainRun& run, const std::filesystem::path& out) {
    g_train_interrupted = false;
    std::signal(SIGINT, on_train_interrupt);
    try {
        auto summary = run(train_progress(), [](const std::string& line) { std::cerr << "powerbert: " << line << '\n'; });
        std::cout << summary.dump(2) << '\n';
    } catch (const pb::Cancelled&) {
        std::cerr << "powerbert: interrupted; a checkpoint is in " << (out / "checkpoint").string()
                  << " (run the same command again to resume)\n";
        return 130;
    }
    return 0;
}

int run_train_cli(const pb::train::StepOptions& options) {
    return run_train_cli([&](const pb::Progress& p, const pb::train::TrainLog& l) { return pb::train::run_train_step(options, p, l); },
                         options.out);
}

int train_pretrain(const pb::train::PretrainOptions& options) {
    return run_train_cli([&](const pb::Progress& p, const pb::train::TrainLog& l) { return pb::train::run_pretrain(options, p, l); },
                         options.out);
}

void add_pretrain_options(CLI::App* cmd, pb::train::PretrainOptions& o) {
    cmd->add_option("--model", o.model, "Initial Hugging Face folder (e.g. from make-demo-model); its tokenizer is used")->required();
    cmd->add_option("--corpus", o.corpus, "Text files (.txt, paragraphs separated by blank lines) or GLUE .tsv files")
        ->required()->check(CLI::ExistingFile);
    cmd->add_option("--heldout", o.heldout, "Text to measure masked-token accuracy on (best checkpoint kept)")->check(CLI::ExistingFile);
    cmd->add_option("--out", o.out, "Output folder (BertForMaskedLM Hugging Face folder + training.json)")->required();
    cmd->add_option("--epochs", o.epochs, "Passes over the corpus, each with fresh masks (default 1)");
    cmd->add_option("--batch", o.batch, "Sequences per optimizer step (default 32)");
    cmd->add_option("--max-length", o.max_length, "Tokens per sequence (default 128)");
    cmd->add_option("--lr", o.lr, "Peak learning rate (default 5e-4)");
    cmd->add_option("--weight-decay", o.weight_decay, "AdamW weight decay (default 0.01)");
    cmd->add_option("--mask-probability", o.mask_probability, "Share of word pieces predicted (default 0.15)");
    cmd->add_option("--max-sequences", o.max_sequences, "Use only the first N sequences per pass");
    cmd->add_option("--seed", o.seed, "Seed of masking, shuffling and dropout");
    cmd->add_option("--checkpoint-every", o.checkpoint_every, "Also checkpoint every N steps");
    cmd->add_flag("--from-scratch", o.from_scratch, "Re-initialise every weight as Hugging Face's BERT does first");
    cmd->add_flag("!--no-resume", o.resume, "Ignore an existing checkpoint in --out");
}

int train_finetune(pb::train::StepOptions options) {
    options.step = pb::train::TrainStep::Finetune;
    return run_train_cli(options);
}

int train_search(pb::train::StepOptions options) {
    options.step = pb::train::TrainStep::Search;
    return run_train_cli(options);
}

int train_retrain(pb::train::StepOptions options) {
    options.step = pb::train::TrainStep::Retrain;
    return run_train_cli(options);
}

void add_train_options(CLI::App* cmd, pb::train::StepOptions& o) {
    cmd->add_option("--model", o.model, "Input Hugging Face model folder")->required();
    cmd->add_option("--task", o.task, "GLUE task (cola, sst-2, mrpc, sts-b, qqp, mnli, qnli, rte, generic); default: guessed from --train");
    cmd->add_option("--train", o.train_file, "Training TSV file")->required()->check(CLI::ExistingFile);
    cmd->add_option("--dev", o.dev_file, "Dev TSV file (the best epoch on it is kept)")->required()->check(CLI::ExistingFile);
    cmd->add_option("--out", o.out, "Output folder (a Hugging Face folder + training.json)")->required();
    cmd->add_option("--epochs", o.epochs, "Epochs (default 3)");
    cmd->add_option("--batch", o.batch, "Examples per optimizer step (default: the reference's, per task)");
    cmd->add_option("--accumulation", o.accumulation, "Micro-batches per step (gradient accumulation)");
    cmd->add_option("--lr", o.lr, "Learning rate of the BERT weights (default: the reference's LR_BERT)");
    cmd->add_option("--max-length", o.max_length, "Tokens per example (default: the reference's SEQ_LEN)");
    cmd->add_option("--seed", o.seed, "Seed of shuffling, dropout and new heads");
    cmd->add_option("--weight-decay", o.weight_decay, "AdamW weight decay (default 0: Adam, as the reference)");
    cmd->add_option("--max-train", o.max_train_examples, "Use only the first N training examples");
    cmd->add_option("--max-dev", o.max_dev_examples, "Use only the first N dev examples");
    cmd->add_option("--checkpoint-every", o.checkpoint_every, "Also checkpoint every N steps (default: each epoch)");
    cmd->add_flag("!--no-resume", o.resume, "Ignore an existing checkpoint in --out");
}

struct TrainCommands {
    CLI::App *pretrain = nullptr, *finetune = nullptr, *search = nullptr, *retrain = nullptr, *bench = nullptr;
};

TrainCommands add_train_commands(CLI::App& app, pb::train::StepOptions& o, pb::train::PretrainOptions& p,
                                 pb::train::TrainBenchmarkOptions& b, std::string& bench_out) {
    TrainCommands c;
    auto* train = app.add_subcommand("train", "Training: pretrain (masked LM), then PoWER-BERT's finetune, search, retrain");
    train->require_subcommand(1);
    c.pretrain = train->add_subcommand("pretrain", "Masked-LM pre-training on plain text (writes a BertForMaskedLM folder)");
    add_pretrain_options(c.pretrain, p);
    c.finetune = train->add_subcommand("finetune", "Fine-tune a pre-trained folder on a GLUE task (best dev checkpoint kept)");
    add_train_options(c.finetune, o);
    c.search = train->add_subcommand("search", "Configuration search with Soft-Extract layers (writes retention.json)");
    add_train_options(c.search, o);
    c.search->add_option("--lambda", o.lambda, "Penalty lambda * sum_j j * mass_j (default: the reference's, per task)");
    c.search->add_option("--lr-soft", o.lr_soft, "Learning rate of r (default: the reference's LR_SOFT_EXTRACT)");
    c.retrain = train->add_subcommand("retrain", "Re-train with Extract layers at a configuration (best dev kept)");
    add_train_options(c.retrain, o);
    c.retrain->add_option("--retention-file", o.retention_file, "retention.json (default: the model folder's)")->check(CLI::ExistingFile);
    c.retrain->add_flag("--with-full-pass", o.with_full_pass,
                        "Each step also trains the weights without elimination (mean loss of both passes), so they serve as the full model too");
    for (auto* cmd : {c.finetune, c.retrain}) {
        auto* teacher =
            cmd->add_option("--teacher", o.teacher, "Distil from this fine-tuned folder: its class probabilities join the labels in the loss")
                ->check(CLI::ExistingDirectory);
        cmd->add_option("--distill-weight", o.distill.weight, "Weight of the teacher's term in the loss (default 0.5)")
            ->check(CLI::Range(0.0, 1.0))
            ->needs(teacher);
        cmd->add_option("--distill-temperature", o.distill.temperature, "Temperature of the teacher's and the student's softmax in that term (default 2)")
            ->check(CLI::Range(1e-3, 1e3))
            ->needs(teacher);
    }

    c.bench = app.add_subcommand("bench-train", "Training examples/s (forward, backward, AdamW) of a 4x256 BERT on ~25-token inputs");
    c.bench->add_option("--out", bench_out, "Also write the JSON result to this file");
    c.bench->add_option("--batch", b.batch, "Examples per step");
    c.bench->add_option("--steps", b.steps, "Timed steps");
    c.bench->add_option("--warmup", b.warmup_steps, "Untimed steps first");
    return c;
}

int bench_train(pb::train::TrainBenchmarkOptions options, const std::string& out) {
    options.config = pb::train::small_bert_config();
    auto result = pb::train::run_train_benchmark(options);
    const std::string text = result.dump(2) + "\n";
    if (!out.empty()) pb::write_file_atomically(out, text);
    std::cout << text;
    return 0;
}

}  // namespace

void add_training_commands(CLI::App& app, Commands& out) {
    auto step = std::make_shared<pb::train::StepOptions>();
    auto pretrain = std::make_shared<pb::train::PretrainOptions>();
    auto bench = std::make_shared<pb::train::TrainBenchmarkOptions>();
    auto bench_out = std::make_shared<std::string>();
    const TrainCommands c = add_train_commands(app, *step, *pretrain, *bench, *bench_out);
    out.push_back({c.pretrain, [pretrain] { return train_pretrain(*pretrain); }});
    out.push_back({c.finetune, [step] { return train_finetune(*step); }});
    out.push_back({c.search, [step] { return train_search(*step); }});
    out.push_back({c.retrain, [step] { return train_retrain(*step); }});
    out.push_back({c.bench, [bench, bench_out] { return bench_train(*bench, *bench_out); }});
}

}  // namespace pb::cli
