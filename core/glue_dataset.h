#pragma once
// Reads the GLUE benchmark's TSV files (and the simple `label<TAB>sentence` variant) into one
// in-memory form, so that training and evaluation never care which task's layout a file had.
//
// GLUE files are not CSV: quotes are ordinary characters (MRPC and MNLI have unbalanced ones),
// so a line is split on tabs only. Columns are found by header name, because each task (and each
// redistribution, e.g. SST-2 as label-first) orders them differently. CoLA's train/dev files have
// no header and are read by position. A UTF-8 byte-order mark and CRLF line ends are accepted.
// A file whose header lacks the label column (GLUE's test.tsv) loads with every label absent.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pb {

enum class GlueTask { CoLA, SST2, MRPC, STSB, QQP, MNLI, QNLI, RTE, WNLI, Generic };
inline constexpr GlueTask kGlueTasks[] = {GlueTask::CoLA, GlueTask::SST2, GlueTask::MRPC, GlueTask::STSB, GlueTask::QQP,
                                          GlueTask::MNLI, GlueTask::QNLI, GlueTask::RTE,  GlueTask::WNLI, GlueTask::Generic};

struct GlueExample {
    std::string text_a;
    std::optional<std::string> text_b;  // absent for single-sentence tasks
    std::optional<float> label;         // class index (as float) or STS-B score; absent in test files
    int line = 0;                       // 1-based line in the file, for messages that point back to it
};

struct MalformedLine {
    int line;
    std::string problem;
};

// Reject: throw pb::Error("<file>:<line>: <problem>") at the first bad line.
// Skip: leave bad lines out and list them in GlueDataset::skipped.
enum class MalformedPolicy { Reject, Skip };

struct GlueDataset {
    GlueTask task = GlueTask::Generic;
    std::filesystem::path file;
    std::vector<GlueExample> examples;
    // Index i names class i, in the order of Hugging Face's GLUE processors (the order models
    // fine-tuned elsewhere were trained with). Empty for STS-B (regression).
    std::vector<std::string> label_names;
    std::vector<MalformedLine> skipped;

    bool is_regression() const { return task == GlueTask::STSB; }
    // 1 for regression (one output score), otherwise the number of classes.
    int num_labels() const { return is_regression() ? 1 : static_cast<int>(label_names.size()); }
};

// Accepts GLUE's folder names and common spellings, case-insensitively, ignoring '-', '_' and
// spaces: "SST-2", "sst2", "CoLA", "STS-B", "mnli", "mnli-mm", "MNLI_matched", "generic", ...
std::optional<GlueTask> glue_task_from_name(std::string_view name);
// GLUE's own spelling: "CoLA", "SST-2", "MRPC", "STS-B", "QQP", "MNLI", "QNLI", "RTE", "WNLI", "Generic".
std::string_view glue_task_name(GlueTask task);

// From the parent folder name (GLUE's layout: <task>/train.tsv), the file name (MNLI's
// dev_matched.tsv) or else the header columns; Generic if none of these tells.
// Throws pb::Error only when the file cannot be read.
GlueTask guess_glue_task(const std::filesystem::path& file);

// Loads one GLUE TSV file. `task` defaults to guess_glue_task(file). `max_examples` (0 = all)
// stops reading early, e.g. for a quick preview. Throws pb::Error naming the file (and line) when
// the file cannot be read, is not text, has no usable header, or yields no examples at all.
//
// Generic files are `label<TAB>sentence[<TAB>sentence2]`, with or without a header naming
// `label` and `sentence`/`text`/`content`; labels are non-negative class indices and
// label_names becomes "0".."max".
GlueDataset load_glue_tsv(const std::filesystem::path& file, std::optional<GlueTask> task = std::nullopt,
                          MalformedPolicy policy = MalformedPolicy::Reject, size_t max_examples = 0);

}  // namespace pb
