#include "core/train/batch_gradients.h"

#include <exception>

namespace pb::train {
namespace {

// Chunk boundaries so that each chunk holds about the same number of tokens.
std::vector<size_t> split_by_tokens(std::span<const PassItem> items, int chunks) {
    size_t total = 0;
    for (const auto& it : items) total += it.example->ids.size();
    std::vector<size_t> bounds = {0};
    size_t seen = 0, i = 0;
    for (int c = 1; c < chunks; ++c) {
        const size_t target = total * size_t(c) / size_t(chunks);
        while (i < items.size() && seen + items[i].example->ids.size() / 2 < target) seen += items[i++].example->ids.size();
        bounds.push_back(i);
    }
    bounds.push_back(items.size());
    return bounds;
}

}  // namespace

PassOutput<float> BatchGradients::accumulate(const TrainableBert& model, std::span<const PassItem> items,
                                             const PassSettings& settings, float loss_scale, std::vector<float>& grads) {
    const ParameterLayout& L = model.layout;
    // The masked-LM decoder is tied to the word embeddings, so its gradient to them is dense and
    // goes through the buffers; otherwise word-embedding gradients come back as rows (sparse).
    const size_t begin = settings.masked_lm ? 0 : L.dense_begin, end = L.total;
    const int chunks = static_cast<int>(std::min<size_t>(size_t(chunks_), std::max<size_t>(1, items.size())));
    if (buffers_.size() < size_t(chunks)) buffers_.resize(chunks);
    const auto bounds = split_by_tokens(items, chunks);
    std::vector<PassOutput<float>> outputs(chunks);
    std::vector<Mat<float>> word_rows(chunks);
    std::vector<std::exception_ptr> errors(chunks);
#pragma omp parallel for num_threads(chunks) schedule(static, 1)
    for (int c = 0; c < chunks; ++c) {
        try {
            auto& buffer = buffers_[c];
            if (buffer.size() != L.total) buffer.assign(L.total, 0.0f);
            else std::fill(buffer.begin() + begin, buffer.end(), 0.0f);
            outputs[c] = forward_backward<float>(model.config, L, model.values.data(), buffer.data(),
                                                 items.subspan(bounds[c], bounds[c + 1] - bounds[c]), settings,
                                                 loss_scale, &word_rows[c]);
        } catch (...) {
            errors[c] = std::current_exception();
        }
    }
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);

    const std::ptrdiff_t n = static_cast<std::ptrdiff_t>(end - begin);
    float* g = grads.data() + begin;
#pragma omp parallel for if (n > 65536) schedule(static)
    for (std::ptrdiff_t i = 0; i < n; ++i)
        for (int c = 0; c < chunks; ++c) g[i] += buffers_[c][begin + i];
    const int H = model.config.embedding_width();  // the word embeddings' width
    float* word = grads.data() + L.offset(L.word);
    for (int c = 0; c < chunks; ++c) {
        int row = 0;
        for (size_t i = bounds[c]; i < bounds[c + 1]; ++i)
            for (int32_t id : items[i].example->ids)
                RowVecMap<float>(word + size_t(id) * H, H) += word_rows[c].row(row++);
    }

    PassOutput<float> out;
    out.logits.resize(static_cast<Eigen::Index>(items.size()), model.config.num_labels);
    for (int c = 0; c < chunks; ++c) {
        out.loss_sum += outputs[c].loss_sum;
        out.mlm_rows += outputs[c].mlm_rows;
        out.mlm_correct += outputs[c].mlm_correct;
        if (outputs[c].logits.rows()) out.logits.middleRows(bounds[c], outputs[c].logits.rows()) = outputs[c].logits;
    }
    return out;
}

PassOutput<float> predict(const TrainableBert& model, std::span<const PassItem> items, const PassSettings& settings,
                          int piece) {
    const int pieces = static_cast<int>((items.size() + piece - 1) / piece);
    std::vector<PassOutput<float>> outputs(pieces);
    std::vector<std::exception_ptr> errors(pieces);
#pragma omp parallel for schedule(dynamic, 1)
    for (int p = 0; p < pieces; ++p) {
        try {
            const size_t from = size_t(p) * piece, count = std::min(items.size() - from, size_t(piece));
            outputs[p] = forward_backward<float>(model.config, model.layout, model.values.data(), nullptr,
                                                 items.subspan(from, count), settings, 1.0f);
        } catch (...) {
            errors[p] = std::current_exception();
        }
    }
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
    PassOutput<float> out;
    out.logits.resize(static_cast<Eigen::Index>(items.size()), model.config.num_labels);
    for (int p = 0; p < pieces; ++p) {
        out.loss_sum += outputs[p].loss_sum;
        out.mlm_rows += outputs[p].mlm_rows;
        out.mlm_correct += outputs[p].mlm_correct;
        if (outputs[p].logits.rows()) out.logits.middleRows(size_t(p) * piece, outputs[p].logits.rows()) = outputs[p].logits;
    }
    return out;
}

}  // namespace pb::train
