#include "core/train/bert_backprop.h"

#include "core/error.h"
#include "core/train/activation_grad.h"
#include "core/train/attention_grad.h"
#include "core/train/dropout.h"
#include "core/train/embedding_grad.h"
#include "core/train/extract_grad.h"
#include "core/train/layer_norm_grad.h"
#include "core/train/linear_grad.h"
#include "core/train/masked_lm_head_grad.h"
#include "core/train/task_head_grad.h"

#include <algorithm>

namespace pb::train {
namespace {

// Rows of each sequence inside a stacked matrix.
struct Stack {
    std::vector<int> offset, length;
    int rows = 0;
    void push(int n) {
        offset.push_back(rows);
        length.push_back(n);
        rows += n;
    }
};

template <class S>
struct LayerCache {
    Stack in, out;
    Mat<S> x, q, k, v, context, attention_mask, h1, h, u, g, ffn_mask;
    std::vector<AttentionCache<S>> attention;
    LayerNormCache<S> norm1, norm2;
    std::vector<std::vector<int>> selection;  // Hard: kept rows; Soft: positions by rank
};

// Fills a dropout mask for the stacked rows, one key per sequence (so masks do not depend on
// which other sequences share the pass).
template <class S>
void hidden_mask(Mat<S>& mask, const Stack& stack, int H, double p, std::span<const PassItem> items, DropoutSite site,
                 int layer) {
    mask.resize(stack.rows, H);
    for (size_t s = 0; s < items.size(); ++s)
        fill_dropout_mask(&mask(stack.offset[s], 0), size_t(stack.length[s]) * H, p,
                          dropout_key(items[s].dropout_seed, site, layer));
}


// The items' teacher probabilities as rows x labels (empty when not distilling).
std::vector<float> teacher_rows(std::span<const PassItem> items, int labels, const PassSettings& settings) {
    std::vector<float> rows;
    if (settings.distill.weight <= 0) return rows;
    for (const auto& item : items) {
        if (item.example->target.size() != size_t(labels))
            throw Error("training pass: distillation needs the teacher's " + std::to_string(labels) +
                        " probabilities for every example");
        rows.insert(rows.end(), item.example->target.begin(), item.example->target.end());
    }
    return rows;
}

// The sequence-classification head on the [CLS] rows; returns d loss / d x (empty without grads).
template <class S>
Mat<S> task_head_step(const ModelConfig& c, const ParameterLayout& L, const S* params, S* grads,
                      std::span<const PassItem> items, const Stack& stack, const Mat<S>& x,
                      const PassSettings& settings, double p_hidden, S loss_scale, PassOutput<S>& result) {
    auto P = [&](int slot) { return params + L.offset(slot); };
    auto G = [&](int slot) { return grads ? grads + L.offset(slot) : nullptr; };
    const int count = static_cast<int>(items.size()), H = c.hidden_size;
    Mat<S> cls(count, H);
    for (int s = 0; s < count; ++s) cls.row(s) = x.row(stack.offset[s]);
    std::vector<uint64_t> head_keys(count);
    for (int s = 0; s < count; ++s) head_keys[s] = dropout_key(items[s].dropout_seed, DropoutSite::Pooled, 0);
    HeadCache<S> head;
    head_forward<S>(cls, P(L.pooler_w), P(L.pooler_b), P(L.classifier_w), P(L.classifier_b), c.num_labels, p_hidden,
                    head_keys, head);
    std::vector<float> labels(count);
    for (int s = 0; s < count; ++s) labels[s] = items[s].example->label;
    Mat<S> dlogits;
    const std::vector<float> teacher = teacher_rows(items, c.num_labels, settings);
    const DistillTerm distill{teacher, settings.distill.weight, settings.distill.temperature};
    result.loss_sum = head_loss<S>(head.logits, labels, c.regression, loss_scale, dlogits, distill);
    result.logits = head.logits;
    if (!grads) return {};
    Mat<S> dcls;
    head_backward<S>(dlogits, head, P(L.pooler_w), P(L.classifier_w), c.num_labels, G(L.pooler_w), G(L.pooler_b),
                     G(L.classifier_w), G(L.classifier_b), dcls);
    Mat<S> dx = Mat<S>::Zero(stack.rows, H);
    for (int s = 0; s < count; ++s) dx.row(stack.offset[s]) = dcls.row(s);
    return dx;
}

// The masked-LM head on the rows with a target; each example's loss is the mean cross-entropy of
// its predicted positions. The decoder's gradient goes to the (tied) word embeddings in grads.
template <class S>
Mat<S> masked_lm_step(const ModelConfig& c, const ParameterLayout& L, const S* params, S* grads,
                      std::span<const PassItem> items, const Stack& stack, const Mat<S>& x, S loss_scale,
                      PassOutput<S>& result) {
    if (!L.masked_lm) throw Error("masked-LM pass: the parameters hold no masked-LM head");
    const MaskedLmSlots& h = *L.masked_lm;
    auto P = [&](int slot) { return params + L.offset(slot); };
    auto G = [&](int slot) { return grads ? grads + L.offset(slot) : nullptr; };
    std::vector<int> rows;
    std::vector<int32_t> targets;
    std::vector<S> weights;
    for (size_t s = 0; s < items.size(); ++s) {
        const auto& t = items[s].example->mlm_targets;
        if (t.size() != items[s].example->ids.size())
            throw Error("masked-LM pass: an example's targets do not match its tokens");
        const auto predicted = std::count_if(t.begin(), t.end(), [](int32_t v) { return v >= 0; });
        for (size_t i = 0; i < t.size(); ++i) {
            if (t[i] < 0) continue;
            if (t[i] >= c.vocab_size) throw Error("masked-LM pass: target token id out of range");
            rows.push_back(stack.offset[s] + static_cast<int>(i));
            targets.push_back(t[i]);
            weights.push_back(S(1) / S(predicted));
        }
    }
    const int M = static_cast<int>(rows.size()), H = c.hidden_size;
    Mat<S> selected(M, H);
    for (int r = 0; r < M; ++r) selected.row(r) = x.row(rows[r]);
    const MaskedLmWeights<S> w{P(L.word), P(h.dense_w), P(h.dense_b), P(h.norm_g), P(h.norm_b), P(h.bias)};
    MaskedLmCache<S> cache;
    masked_lm_forward<S>(selected, w, c, cache);
    Mat<S> dlogits;
    const auto score = masked_lm_loss<S>(cache.logits, targets, weights, loss_scale, dlogits);
    result.loss_sum = score.loss_sum;
    result.mlm_rows = M;
    result.mlm_correct = score.correct;
    if (!grads) return {};
    Mat<S> drows;
    masked_lm_backward<S>(dlogits, cache, w, c, G(L.word), G(h.dense_w), G(h.dense_b), G(h.norm_g), G(h.norm_b),
                          G(h.bias), drows);
    Mat<S> dx = Mat<S>::Zero(stack.rows, H);
    for (int r = 0; r < M; ++r) dx.row(rows[r]) = drows.row(r);
    return dx;
}

}  // namespace

template <class S>
PassOutput<S> forward_backward(const ModelConfig& c, const ParameterLayout& L, const S* params, S* grads,
                               std::span<const PassItem> items, const PassSettings& settings, S loss_scale,
                               Mat<S>* word_rows) {
    const int H = c.hidden_size, I = c.intermediate_size, heads = c.num_heads, layers = c.num_layers;
    const double p_hidden = settings.hidden_dropout, p_attention = settings.attention_dropout;
    const bool soft = settings.mode == ExtractMode::Soft, hard = settings.mode == ExtractMode::Hard;
    if (soft && static_cast<int>(L.retention.size()) != layers)
        throw Error("Soft-Extract pass: the parameters hold no retention vectors r");
    if (settings.masked_lm && (soft || hard))
        throw Error("masked-LM pass: pre-training runs without extract layers");
    if (hard && static_cast<int>(settings.keep.size()) != layers)
        throw Error("Extract pass: the retention configuration needs one value per layer");
    auto P = [&](int slot) { return params + L.offset(slot); };
    auto G = [&](int slot) { return grads ? grads + L.offset(slot) : nullptr; };

    PassOutput<S> result;
    if (items.empty()) return result;
    Stack stack;
    for (const auto& item : items) {
        const auto& e = *item.example;
        const int n = static_cast<int>(e.ids.size());
        if (n < 1 || e.type_ids.size() != e.ids.size()) throw Error("training example: empty or inconsistent token ids");
        if (n > c.max_position)
            throw Error("training example: " + std::to_string(n) + " tokens exceed max_position_embeddings " +
                        std::to_string(c.max_position));
        if (soft && n > L.retention_length)
            throw Error("training example: " + std::to_string(n) + " tokens exceed the Soft-Extract length N = " +
                        std::to_string(L.retention_length));
        for (int i = 0; i < n; ++i)
            if (e.ids[i] < 0 || e.ids[i] >= c.vocab_size || e.type_ids[i] < 0 || e.type_ids[i] >= c.type_vocab_size)
                throw Error("training example: token id or type id out of range at position " + std::to_string(i));
        stack.push(n);
    }
    const int count = static_cast<int>(items.size());

    const Stack input = stack;

    // ---- embeddings (ALBERT: embedding_size wide, then projected to the hidden size)
    const int E = c.embedding_width();
    const bool projected = L.embedding_projection_w >= 0;
    Mat<S> x(stack.rows, E);
    for (int s = 0; s < count; ++s) {
        const auto& e = *items[s].example;
        embedding_forward<S>(x.middleRows(stack.offset[s], stack.length[s]), e.ids, e.type_ids, P(L.word), P(L.position),
                             P(L.token_type), E);
    }
    LayerNormCache<S> embedding_norm;
    layer_norm_forward<S>(x, x, P(L.embedding_norm_g), P(L.embedding_norm_b), S(c.layer_norm_eps), embedding_norm);
    Mat<S> embedding_mask;
    if (p_hidden > 0) {
        hidden_mask(embedding_mask, stack, E, p_hidden, items, DropoutSite::Embeddings, 0);
        x.array() *= embedding_mask.array();
    }
    Mat<S> embedded;  // the projection's input, kept for its backward pass
    if (projected) {
        embedded = std::move(x);
        x.resize(stack.rows, H);
        linear_forward<S>(x, embedded, P(L.embedding_projection_w), P(L.embedding_projection_b), H, E);
    }

    // ---- encoder layers
    std::vector<LayerCache<S>> caches(layers);
    for (int l = 0; l < layers; ++l) {
        LayerCache<S>& C = caches[l];
        const LayerSlots& W = L.layers[l];
        C.in = stack;
        C.x = std::move(x);
        const int R = stack.rows;
        C.q.resize(R, H);
        C.k.resize(R, H);
        C.v.resize(R, H);
        linear_forward<S>(C.q, C.x, P(W.query_w), P(W.query_b), H, H);
        linear_forward<S>(C.k, C.x, P(W.key_w), P(W.key_b), H, H);
        linear_forward<S>(C.v, C.x, P(W.value_w), P(W.value_b), H, H);
        C.context.resize(R, H);
        C.attention.resize(count);
        for (int s = 0; s < count; ++s) {
            const int o = stack.offset[s], n = stack.length[s];
            attention_forward<S>(C.context.middleRows(o, n), C.q.middleRows(o, n), C.k.middleRows(o, n),
                                 C.v.middleRows(o, n), heads, p_attention,
                                 dropout_key(items[s].dropout_seed, DropoutSite::AttentionProbs, l), C.attention[s]);
        }
        C.h1.resize(R, H);
        linear_forward<S>(C.h1, C.context, P(W.attention_out_w), P(W.attention_out_b), H, H);
        if (p_hidden > 0) {
            hidden_mask(C.attention_mask, stack, H, p_hidden, items, DropoutSite::AttentionOutput, l);
            C.h1.array() *= C.attention_mask.array();
        }
        C.h1 += C.x;
        layer_norm_forward<S>(C.h1, C.h1, P(W.attention_norm_g), P(W.attention_norm_b), S(c.layer_norm_eps), C.norm1);

        // ---- PoWER-BERT extract layer
        Stack next;
        C.selection.assign(count, {});
        if (soft || hard) {
            for (int s = 0; s < count; ++s) {
                const auto sig = significance(mean_attention(C.attention[s]));
                C.selection[s] = hard ? extract_rows<S>(sig, settings.keep[l]) : significance_order<S>(sig);
                next.push(hard ? static_cast<int>(C.selection[s].size()) : stack.length[s]);
            }
        } else {
            next = stack;
        }
        C.out = next;
        if (hard) {
            C.h.resize(next.rows, H);
            for (int s = 0; s < count; ++s)
                hard_extract_forward<S>(C.h.middleRows(next.offset[s], next.length[s]),
                                        C.h1.middleRows(stack.offset[s], stack.length[s]), C.selection[s]);
        } else if (soft) {
            C.h.resize(R, H);
            for (int s = 0; s < count; ++s)
                soft_extract_forward<S>(C.h.middleRows(stack.offset[s], stack.length[s]),
                                        C.h1.middleRows(stack.offset[s], stack.length[s]), C.selection[s],
                                        P(L.retention[l]));
        } else {
            C.h = C.h1;
        }

        // ---- feed-forward
        const int M = next.rows;
        C.u.resize(M, I);
        C.g.resize(M, I);
        linear_forward<S>(C.u, C.h, P(W.intermediate_w), P(W.intermediate_b), I, H);
        activation_forward<S>(C.g, C.u, c.activation);
        x.resize(M, H);
        linear_forward<S>(x, C.g, P(W.output_w), P(W.output_b), H, I);
        if (p_hidden > 0) {
            hidden_mask(C.ffn_mask, next, H, p_hidden, items, DropoutSite::FeedForwardOutput, l);
            x.array() *= C.ffn_mask.array();
        }
        x += C.h;
        layer_norm_forward<S>(x, x, P(W.output_norm_g), P(W.output_norm_b), S(c.layer_norm_eps), C.norm2);
        stack = next;
    }

    // ---- head and loss
    Mat<S> dx = settings.masked_lm ? masked_lm_step(c, L, params, grads, items, stack, x, loss_scale, result)
                                   : task_head_step(c, L, params, grads, items, stack, x, settings, p_hidden, loss_scale, result);
    if (!grads) return result;

    // ---- backward
    for (int l = layers - 1; l >= 0; --l) {
        LayerCache<S>& C = caches[l];
        const LayerSlots& W = L.layers[l];
        const int R = C.in.rows;
        // out = LN2(dropout(ffn(h)) + h)
        layer_norm_backward<S>(dx, dx, P(W.output_norm_g), C.norm2, G(W.output_norm_g), G(W.output_norm_b));
        Mat<S> dh = dx;  // through the residual
        if (C.ffn_mask.size() && p_hidden > 0) dx.array() *= C.ffn_mask.array();
        Mat<S> dg(C.g.rows(), I);
        MatRef<S> dg_ref(dg);
        linear_backward<S>(dx, C.g, P(W.output_w), H, I, G(W.output_w), G(W.output_b), &dg_ref, false);
        activation_backward<S>(dg, dg, C.u, c.activation);
        MatRef<S> dh_ref(dh);
        linear_backward<S>(dg, C.h, P(W.intermediate_w), I, H, G(W.intermediate_w), G(W.intermediate_b), &dh_ref, true);

        // extract layer
        Mat<S> dh1;
        if (hard) {
            dh1.resize(R, H);
            for (int s = 0; s < count; ++s)
                hard_extract_backward<S>(dh1.middleRows(C.in.offset[s], C.in.length[s]),
                                         dh.middleRows(C.out.offset[s], C.out.length[s]), C.selection[s]);
        } else if (soft) {
            dh1.resize(R, H);
            for (int s = 0; s < count; ++s)
                soft_extract_backward<S>(dh1.middleRows(C.in.offset[s], C.in.length[s]),
                                         dh.middleRows(C.in.offset[s], C.in.length[s]),
                                         C.h1.middleRows(C.in.offset[s], C.in.length[s]), C.selection[s],
                                         P(L.retention[l]), G(L.retention[l]));
        } else {
            dh1 = std::move(dh);
        }

        // h1 = LN1(dropout(attention_output(context)) + x)
        layer_norm_backward<S>(dh1, dh1, P(W.attention_norm_g), C.norm1, G(W.attention_norm_g), G(W.attention_norm_b));
        Mat<S> dx_in = dh1;  // through the residual
        if (C.attention_mask.size() && p_hidden > 0) dh1.array() *= C.attention_mask.array();
        Mat<S> dcontext(R, H);
        MatRef<S> dcontext_ref(dcontext);
        linear_backward<S>(dh1, C.context, P(W.attention_out_w), H, H, G(W.attention_out_w), G(W.attention_out_b),
                           &dcontext_ref, false);
        Mat<S> dq(R, H), dk(R, H), dv(R, H);
        for (int s = 0; s < count; ++s) {
            const int o = C.in.offset[s], n = C.in.length[s];
            attention_backward<S>(dcontext.middleRows(o, n), C.q.middleRows(o, n), C.k.middleRows(o, n),
                                  C.v.middleRows(o, n), heads, C.attention[s], dq.middleRows(o, n), dk.middleRows(o, n),
                                  dv.middleRows(o, n));
        }
        MatRef<S> dx_ref(dx_in);
        linear_backward<S>(dq, C.x, P(W.query_w), H, H, G(W.query_w), G(W.query_b), &dx_ref, true);
        linear_backward<S>(dk, C.x, P(W.key_w), H, H, G(W.key_w), G(W.key_b), &dx_ref, true);
        linear_backward<S>(dv, C.x, P(W.value_w), H, H, G(W.value_w), G(W.value_b), &dx_ref, true);
        dx = std::move(dx_in);
        C = LayerCache<S>{};  // release this layer's memory early
    }

    // ---- embeddings
    if (projected) {
        Mat<S> dembedded(dx.rows(), E);
        MatRef<S> dembedded_ref(dembedded);
        linear_backward<S>(dx, embedded, P(L.embedding_projection_w), H, E, G(L.embedding_projection_w),
                           G(L.embedding_projection_b), &dembedded_ref, false);
        dx = std::move(dembedded);
    }
    if (p_hidden > 0) dx.array() *= embedding_mask.array();
    layer_norm_backward<S>(dx, dx, P(L.embedding_norm_g), embedding_norm, G(L.embedding_norm_g), G(L.embedding_norm_b));
    for (int s = 0; s < count; ++s) {
        const auto& e = *items[s].example;
        embedding_backward<S>(dx.middleRows(input.offset[s], input.length[s]), e.ids, e.type_ids,
                              word_rows ? nullptr : G(L.word), G(L.position), G(L.token_type), E);
    }
    if (word_rows) *word_rows = std::move(dx);
    return result;
}

template PassOutput<float> forward_backward<float>(const ModelConfig&, const ParameterLayout&, const float*, float*,
                                                   std::span<const PassItem>, const PassSettings&, float, Mat<float>*);
template PassOutput<double> forward_backward<double>(const ModelConfig&, const ParameterLayout&, const double*, double*,
                                                     std::span<const PassItem>, const PassSettings&, double,
                                                     Mat<double>*);

}  // namespace pb::train
