#include "core/glue_dataset.h"

#include "core/error.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <system_error>

namespace pb {
namespace {

struct TaskName {
    GlueTask task;
    std::string_view name;
};

constexpr TaskName kTaskNames[] = {
    {GlueTask::CoLA, "CoLA"}, {GlueTask::SST2, "SST-2"}, {GlueTask::MRPC, "MRPC"},
    {GlueTask::STSB, "STS-B"}, {GlueTask::QQP, "QQP"},   {GlueTask::MNLI, "MNLI"},
    {GlueTask::QNLI, "QNLI"}, {GlueTask::RTE, "RTE"},    {GlueTask::WNLI, "WNLI"},
    {GlueTask::Generic, "Generic"},
};

// Where a task's columns are and what its labels look like. Header names are matched
// case-insensitively; the first accepted name present in the header wins.
struct Layout {
    std::vector<std::string_view> text_a;
    std::vector<std::string_view> text_b;  // empty: single-sentence task
    bool text_b_optional = false;
    std::vector<std::string_view> label;
    enum class Labels { Index, Name, Score } labels = Labels::Index;
    std::vector<std::string> label_names;
};

// Label orders follow Hugging Face's GLUE processors (transformers/data/processors/glue.py),
// which is also the original BERT order: a model fine-tuned there maps to the same class indices.
// For tasks whose files hold 0/1, index i is the file's value i; the names are the ones the
// Hugging Face `glue` dataset gives those values.
Layout layout_of(GlueTask task) {
    using L = Layout::Labels;
    switch (task) {
        case GlueTask::CoLA: return {{"sentence"}, {}, false, {"label"}, L::Index, {"unacceptable", "acceptable"}};
        case GlueTask::SST2:
            return {{"sentence", "content", "text"}, {}, false, {"label"}, L::Index, {"negative", "positive"}};
        case GlueTask::MRPC:
            return {{"#1 String"}, {"#2 String"}, false, {"Quality"}, L::Index, {"not_equivalent", "equivalent"}};
        case GlueTask::STSB: return {{"sentence1"}, {"sentence2"}, false, {"score"}, L::Score, {}};
        case GlueTask::QQP:
            return {{"question1"}, {"question2"}, false, {"is_duplicate"}, L::Index, {"not_duplicate", "duplicate"}};
        case GlueTask::MNLI:
            return {{"sentence1"}, {"sentence2"}, false, {"gold_label"}, L::Name,
                    {"contradiction", "entailment", "neutral"}};
        case GlueTask::QNLI:
            return {{"question"}, {"sentence"}, false, {"label"}, L::Name, {"entailment", "not_entailment"}};
        case GlueTask::RTE:
            return {{"sentence1"}, {"sentence2"}, false, {"label"}, L::Name, {"entailment", "not_entailment"}};
        case GlueTask::WNLI:
            return {{"sentence1"}, {"sentence2"}, false, {"label"}, L::Index, {"not_entailment", "entailment"}};
        case GlueTask::Generic: break;
    }
    return {{"sentence", "text", "content", "sentence1"}, {"sentence2"}, true, {"label"}, L::Index, {}};
}

// Generic labels become label_names "0".."max"; the cap keeps a typo from allocating millions.
constexpr int kMaxGenericClasses = 1000;
constexpr float kMaxStsbScore = 5.0f;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return lower(x) == lower(y);
           });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

constexpr std::string_view kBom = "\xEF\xBB\xBF";

std::string_view strip_bom(std::string_view text) {
    if (text.starts_with(kBom)) text.remove_prefix(kBom.size());
    return text;
}

std::string_view strip_cr(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

void split_tabs(std::string_view line, std::vector<std::string_view>& fields) {
    fields.clear();
    for (;;) {
        size_t tab = line.find('\t');
        fields.push_back(line.substr(0, tab));
        if (tab == std::string_view::npos) return;
        line.remove_prefix(tab + 1);
    }
}

// Rejects what a tokenizer could not handle later: overlong forms, surrogates, stray bytes.
bool valid_utf8(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* end = p + s.size();
    while (p < end) {
        unsigned char c = *p;
        if (c < 0x80) { ++p; continue; }
        int extra;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) { extra = 1; cp = c & 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { extra = 2; cp = c & 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { extra = 3; cp = c & 0x07; }
        else return false;
        if (end - p <= extra) return false;
        for (int i = 1; i <= extra; ++i) {
            if ((p[i] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        p += extra + 1;
    }
    return true;
}

std::string quoted_excerpt(std::string_view s) {
    constexpr size_t kMax = 40;
    std::string out(1, '\'');
    out.append(s.substr(0, kMax));
    if (s.size() > kMax) out.append("...");
    out.push_back('\'');
    return out;
}

std::string read_whole_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(file.string() + ": cannot open (" + std::strerror(errno) + ")");
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) throw Error(file.string() + ": is a folder, not a TSV file");
    std::string bytes;
    auto size = std::filesystem::file_size(file, ec);
    if (!ec) bytes.reserve(size);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) throw Error(file.string() + ": read error");
    return bytes;
}

std::optional<size_t> find_column(const std::vector<std::string_view>& header,
                                  const std::vector<std::string_view>& names) {
    for (auto name : names)
        for (size_t i = 0; i < header.size(); ++i)
            if (iequals(trim(header[i]), name)) return i;
    return std::nullopt;
}

// Where the fields of one row go. Positions are resolved once, from the header or from the
// task's fixed header-less layout.
struct Columns {
    size_t field_count = 0;
    size_t text_a = 0;
    std::optional<size_t> text_b;
    std::optional<size_t> label;
    std::string_view text_a_name, text_b_name;
};

bool looks_like_cola_row(const std::vector<std::string_view>& fields) {
    return fields.size() == 4 && (fields[1] == "0" || fields[1] == "1");
}

std::string names_list(const std::vector<std::string_view>& names) {
    std::string out;
    for (auto n : names) out += (out.empty() ? "'" : " or '") + std::string(n) + "'";
    return out;
}

// Returns the columns and whether the first line was a header (and so holds no example).
std::pair<Columns, bool> resolve_columns(GlueTask task, const Layout& layout,
                                         const std::vector<std::string_view>& first,
                                         const std::string& where) {
    if (find_column(first, layout.text_a)) {
        Columns c;
        c.field_count = first.size();
        c.text_a = *find_column(first, layout.text_a);
        c.text_a_name = trim(first[c.text_a]);
        if (!layout.text_b.empty()) {
            c.text_b = find_column(first, layout.text_b);
            if (!c.text_b && !layout.text_b_optional)
                throw Error(where + ": the header has no " + names_list(layout.text_b) + " column, which " +
                            std::string(glue_task_name(task)) + " needs");
            if (c.text_b) c.text_b_name = trim(first[*c.text_b]);
        }
        // No label column is how GLUE's test.tsv files look: they load with labels absent.
        c.label = find_column(first, layout.label);
        return {c, true};
    }
    // GLUE's CoLA train/dev files have no header: source, label, original label, sentence.
    if (task == GlueTask::CoLA && looks_like_cola_row(first))
        return {Columns{4, 3, std::nullopt, 1, "sentence", ""}, false};
    if (task == GlueTask::Generic && (first.size() == 2 || first.size() == 3)) {
        Columns c{first.size(), 1, std::nullopt, 0, "sentence", ""};
        if (first.size() == 3) {
            c.text_b = 2;
            c.text_b_name = "sentence2";
        }
        return {c, false};
    }
    // The header-less layouts get named too, so the message says what would have been accepted.
    std::string also;
    if (task == GlueTask::CoLA) also = ", and it is not a header-less CoLA row (source, 0/1, original label, sentence)";
    if (task == GlueTask::Generic) also = ", and it is not a header-less label<TAB>sentence[<TAB>sentence2] row";
    throw Error(where + ": the header does not fit " + std::string(glue_task_name(task)) + ": it has no " +
                names_list(layout.text_a) + " column (first field " + quoted_excerpt(first.front()) + ")" + also);
}

// Each parse_* returns an empty string when the value is fine, else the problem.
std::string parse_label(const Layout& layout, std::string_view token, std::optional<float>& label) {
    token = trim(token);
    using L = Layout::Labels;
    if (layout.labels == L::Score) {
        float score = 0;
        auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), score);
        if (ec != std::errc() || end != token.data() + token.size() || !std::isfinite(score) || score < 0 ||
            score > kMaxStsbScore)
            return "score " + quoted_excerpt(token) + " is not a number from 0 to 5";
        label = score;
        return {};
    }
    if (layout.labels == L::Name) {
        for (size_t i = 0; i < layout.label_names.size(); ++i)
            if (iequals(token, layout.label_names[i])) {
                label = static_cast<float>(i);
                return {};
            }
        std::string expected;
        for (const auto& n : layout.label_names) expected += (expected.empty() ? "" : ", ") + n;
        return "label " + quoted_excerpt(token) + " is not one of " + expected;
    }
    int limit = layout.label_names.empty() ? kMaxGenericClasses : static_cast<int>(layout.label_names.size());
    int index = -1;
    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
    if (ec != std::errc() || end != token.data() + token.size() || index < 0 || index >= limit)
        return "label " + quoted_excerpt(token) + " is not a class index from 0 to " + std::to_string(limit - 1);
    label = static_cast<float>(index);
    return {};
}

std::string parse_row(const Layout& layout, const Columns& columns, std::string_view line,
                      std::vector<std::string_view>& fields, GlueExample& out) {
    if (!valid_utf8(line)) return "not valid UTF-8 text";
    split_tabs(line, fields);
    if (fields.size() != columns.field_count)
        return "expected " + std::to_string(columns.field_count) + " tab-separated fields, found " +
               std::to_string(fields.size());
    if (fields[columns.text_a].empty()) return "column '" + std::string(columns.text_a_name) + "' is empty";
    out.text_a.assign(fields[columns.text_a]);
    out.text_b.reset();
    if (columns.text_b) {
        if (fields[*columns.text_b].empty()) return "column '" + std::string(columns.text_b_name) + "' is empty";
        out.text_b.emplace(fields[*columns.text_b]);
    }
    out.label.reset();
    if (columns.label) return parse_label(layout, fields[*columns.label], out.label);
    return {};
}

std::vector<std::string> generic_label_names(const std::vector<GlueExample>& examples) {
    int max_label = -1;
    for (const auto& e : examples)
        if (e.label) max_label = std::max(max_label, static_cast<int>(*e.label));
    std::vector<std::string> names;
    for (int i = 0; i <= max_label; ++i) names.push_back(std::to_string(i));
    return names;
}

std::string normalized_name(std::string_view name) {
    std::string out;
    for (char c : name)
        if (c != '-' && c != '_' && c != ' ' && c != '.') out += lower(c);
    return out;
}

// Reads just enough of a file to look at its header and first row.
std::vector<std::string> first_lines(const std::filesystem::path& file, int count) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(file.string() + ": cannot open (" + std::strerror(errno) + ")");
    std::vector<std::string> lines;
    std::string line;
    while (static_cast<int>(lines.size()) < count && std::getline(in, line))
        lines.emplace_back(strip_cr(lines.empty() ? strip_bom(line) : std::string_view(line)));
    return lines;
}

GlueTask guess_from_header(const std::vector<std::string>& lines) {
    if (lines.empty()) return GlueTask::Generic;
    std::vector<std::string_view> header;
    split_tabs(lines[0], header);
    auto has = [&](std::string_view name) { return find_column(header, {name}).has_value(); };
    if (has("gold_label") || has("promptID")) return GlueTask::MNLI;
    if (has("is_duplicate") || (has("question1") && has("question2"))) return GlueTask::QQP;
    if (has("#1 String")) return GlueTask::MRPC;
    if (has("question") && has("sentence")) return GlueTask::QNLI;
    if (has("sentence1") && (has("score") || has("genre"))) return GlueTask::STSB;
    if (has("sentence1") && has("sentence2") && lines.size() > 1) {
        // RTE and WNLI share a header; their labels tell them apart.
        auto label = find_column(header, {"label"});
        std::vector<std::string_view> row;
        split_tabs(lines[1], row);
        if (label && *label < row.size()) {
            auto token = trim(row[*label]);
            if (iequals(token, "entailment") || iequals(token, "not_entailment")) return GlueTask::RTE;
            if (token == "0" || token == "1") return GlueTask::WNLI;
        }
    }
    // SST-2 in GLUE's own order; the label-first variant is read as Generic unless its folder says SST-2.
    if (header.size() == 2 && iequals(header[0], "sentence") && iequals(header[1], "label")) return GlueTask::SST2;
    if (looks_like_cola_row(header)) return GlueTask::CoLA;
    return GlueTask::Generic;
}

}  // namespace

std::optional<GlueTask> glue_task_from_name(std::string_view name) {
    static constexpr std::pair<std::string_view, GlueTask> kAliases[] = {
        {"cola", GlueTask::CoLA},       {"sst2", GlueTask::SST2},          {"sst", GlueTask::SST2},
        {"mrpc", GlueTask::MRPC},       {"stsb", GlueTask::STSB},          {"sts", GlueTask::STSB},
        {"qqp", GlueTask::QQP},         {"mnli", GlueTask::MNLI},          {"mnlim", GlueTask::MNLI},
        {"mnlimm", GlueTask::MNLI},     {"mnlimatched", GlueTask::MNLI},   {"mnlimismatched", GlueTask::MNLI},
        {"qnli", GlueTask::QNLI},       {"rte", GlueTask::RTE},            {"wnli", GlueTask::WNLI},
        {"generic", GlueTask::Generic},
    };
    auto key = normalized_name(name);
    for (const auto& [alias, task] : kAliases)
        if (key == alias) return task;
    return std::nullopt;
}

std::string_view glue_task_name(GlueTask task) {
    for (const auto& t : kTaskNames)
        if (t.task == task) return t.name;
    return "Generic";
}

GlueTask guess_glue_task(const std::filesystem::path& file) {
    if (auto task = glue_task_from_name(file.parent_path().filename().string())) return *task;
    auto stem = file.stem().string();
    // MNLI's dev/test files are the only GLUE files named after their split variant.
    if (stem.find("matched") != std::string::npos) return GlueTask::MNLI;
    if (auto task = glue_task_from_name(stem.substr(0, stem.find_first_of("_."))); task) return *task;
    return guess_from_header(first_lines(file, 2));
}

GlueDataset load_glue_tsv(const std::filesystem::path& file, std::optional<GlueTask> task,
                          MalformedPolicy policy, size_t max_examples) {
    GlueDataset data;
    data.task = task ? *task : guess_glue_task(file);
    data.file = file;
    const Layout layout = layout_of(data.task);
    data.label_names = layout.label_names;

    const std::string bytes = read_whole_file(file);
    const std::string name = file.string();
    if (auto nul = bytes.find('\0'); nul != std::string::npos)
        throw Error(name + ": not a text file (NUL byte at offset " + std::to_string(nul) + ")");
    std::string_view rest = strip_bom(bytes);
    if (trim(rest).find_first_not_of("\r\n") == std::string_view::npos) throw Error(name + ": the file is empty");

    std::vector<std::string_view> fields;
    std::optional<Columns> columns;
    GlueExample example;
    for (int line_no = 1; !rest.empty() && (max_examples == 0 || data.examples.size() < max_examples); ++line_no) {
        size_t newline = rest.find('\n');
        std::string_view line = strip_cr(rest.substr(0, newline));
        rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
        // Blank lines (often a trailing one from an editor) carry nothing; they are not errors.
        if (line.empty()) continue;
        if (!columns) {
            split_tabs(line, fields);
            auto [resolved, is_header] =
                resolve_columns(data.task, layout, fields, name + ":" + std::to_string(line_no));
            columns = resolved;
            if (is_header) continue;
        }
        std::string problem = parse_row(layout, *columns, line, fields, example);
        if (!problem.empty()) {
            if (policy == MalformedPolicy::Reject) throw Error(name + ":" + std::to_string(line_no) + ": " + problem);
            data.skipped.push_back({line_no, std::move(problem)});
            continue;
        }
        example.line = line_no;
        data.examples.push_back(std::move(example));
    }
    if (data.examples.empty()) {
        if (data.skipped.empty()) throw Error(name + ": no examples (only a header)");
        const auto& first = data.skipped.front();
        const bool one = data.skipped.size() == 1;
        throw Error(name + ": no valid examples (" + std::to_string(data.skipped.size()) +
                    (one ? " malformed line skipped, line " : " malformed lines skipped; first at line ") +
                    std::to_string(first.line) + ": " + first.problem + ")");
    }
    if (data.task == GlueTask::Generic) data.label_names = generic_label_names(data.examples);
    return data;
}

}  // namespace pb
