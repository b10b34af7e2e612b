#pragma once
// The `powerbert` subcommands. Each group adds its subcommands to the app with what runs when one is
// given; main parses the command line, then runs the one chosen. A run returns the exit code and
// reports problems as pb::Error, which main prints (exit code 1).
#include <CLI/CLI.hpp>

#include <functional>
#include <vector>

namespace pb::cli {

struct Command {
    CLI::App* app = nullptr;
    std::function<int()> run;
};
using Commands = std::vector<Command>;

void add_model_commands(CLI::App& app, Commands& out);      // analyze, info, make-demo-model
void add_benchmark_commands(CLI::App& app, Commands& out);  // bench, time
void add_dataset_commands(CLI::App& app, Commands& out);    // eval, experiment
void add_training_commands(CLI::App& app, Commands& out);   // train pretrain|finetune|search|retrain, bench-train

}  // namespace pb::cli
