// powerbert: the scriptable command line over the same core as the GUI. The subcommands live in
// app/cli_*_commands.cpp; here they are parsed, run, and their errors turned into exit codes.
#include "app/cli_commands.h"
#include "app/openmp_spin.h"
#include "core/error.h"
#include "core/version.h"

#include <iostream>

int main(int argc, char** argv) {
    restart_with_short_openmp_spin(argv);
    CLI::App app{"powerbert: inspect and benchmark PoWER-BERT (progressive word-vector elimination) on BERT models"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("powerbert ") + pb::version());
    pb::cli::Commands commands;
    pb::cli::add_model_commands(app, commands);
    pb::cli::add_benchmark_commands(app, commands);
    pb::cli::add_dataset_commands(app, commands);
    pb::cli::add_training_commands(app, commands);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    try {
        for (const auto& command : commands)
            if (*command.app) return command.run();
    } catch (const pb::Error& e) {
        std::cerr << "powerbert: error: " << e.what() << '\n';
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "powerbert: unexpected error: " << e.what() << '\n';
        return 2;
    }
    return 0;
}
