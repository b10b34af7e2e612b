#include "core/analysis_report.h"

#include "core/comparison.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace pb {
namespace {

std::string fixed(double v, int digits) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", digits, v);
    return buffer;
}

std::string prediction(const Trace& t, const ModelConfig& c) {
    if (!t.has_head()) return "(no classifier in this checkpoint)";
    if (t.regression) return "score " + fixed(t.logits[0], 4);
    std::string s = c.id2label[t.predicted_label] + "  [";
    for (size_t i = 0; i < t.probabilities.size(); ++i)
        s += (i ? ", " : "") + c.id2label[i] + " " + fixed(t.probabilities[i], 4);
    return s + "]";
}

void write_tokens(std::ostringstream& out, const Analysis& a) {
    out << "Tokens (" << a.encoding.tokens.size() << "):";
    for (size_t i = 0; i < a.encoding.tokens.size(); ++i) out << ' ' << i << ':' << a.encoding.tokens[i];
    out << '\n';
    if (a.encoding.truncated) out << "Notice: " << a.encoding.notice << '\n';
}

void write_layers(std::ostringstream& out, const Analysis& a) {
    out << "\nLayer  keep  survivors (token:significance)                      cos(full)  cos(PoWER)\n";
    for (size_t j = 0; j < a.power.layers.size(); ++j) {
        const auto& l = a.power.layers[j];
        std::string survivors;
        for (size_t i = 0; i < l.alive_in.size(); ++i) {
            bool kept = std::find(l.alive_out.begin(), l.alive_out.end(), l.alive_in[i]) != l.alive_out.end();
            if (kept) survivors += a.encoding.tokens[l.alive_in[i]] + ":" + fixed(l.significance[i], 2) + " ";
        }
        if (survivors.size() > 52) survivors = survivors.substr(0, 49) + "...";
        char line[256];
        std::snprintf(line, sizeof line, "%5zu  %4zu  %-52s  %8.4f  %9.4f\n", j + 1, l.alive_out.size(),
                      survivors.c_str(), a.full.layers[j].mean_cosine, l.mean_cosine);
        out << line;
    }
}

}  // namespace

std::string format_analysis(const Analysis& a) {
    std::ostringstream out;
    out << "Model: " << a.model_path << " (" << (a.config.is_albert() ? "ALBERT, " : "") << a.config.num_layers
        << " layers, hidden " << a.config.hidden_size << ", " << a.config.num_heads << " heads)\n";
    write_tokens(out, a);
    out << "Retention: ";
    if (a.plan.keep.empty()) out << "none (full model)";
    for (size_t j = 0; j < a.plan.keep.size(); ++j) out << (j ? "," : "") << a.plan.keep[j];
    out << "  strategy " << strategy_name(a.plan.strategy) << '\n';
    write_layers(out, a);
    const Comparison c = compare_runs(a.full, a.power);
    out << "\nFull model:  " << prediction(a.full, a.config) << '\n';
    out << "PoWER-BERT:  " << prediction(a.power, a.config) << (c.label_flipped ? "  (label flipped)" : "") << '\n';
    out << "KL(full || PoWER) = " << fixed(c.kl_divergence, 6) << " nats\n";
    out << "Multiply-adds: full " << c.full_multiply_adds << ", PoWER " << c.power_multiply_adds << " ("
        << fixed(c.multiply_add_ratio, 2) << "x fewer)\n";
    out << "Time: full " << fixed(a.full.seconds * 1e3, 3) << " ms, PoWER " << fixed(a.power.seconds * 1e3, 3) << " ms\n";
    return out.str();
}

}  // namespace pb
