#pragma once
// PoWER-BERT's two extract layers for training, applied to one sequence after the attention's
// add & LayerNorm, and their backward passes. The ranking by significance is a constant of the
// pass (no gradient flows through the sort), as in the reference implementation.
#include "core/train/matrix_types.h"

#include <span>
#include <vector>

namespace pb::train {

// Sig(k) = sum_q Abar[q][k] - Abar[k][k].
template <class S>
std::vector<S> significance(const Mat<S>& mean_attention);

// Positions by decreasing significance over ALL positions ([CLS] included, as the reference's
// Soft-Extract); ties: the earlier position first. order[k] = position of rank k (0-based).
template <class S>
std::vector<int> significance_order(std::span<const S> sig);

// Hard Extract rows: [CLS] plus the top keep-1 of the other positions, ascending (the same rule
// as pb::select_survivors with Attn-WS); min(n, keep) rows.
template <class S>
std::vector<int> extract_rows(std::span<const S> sig, int keep);

template <class S>
void hard_extract_forward(MatRef<S> out, const ConstMatRef<S>& in, std::span<const int> rows);
// din: all n rows written (zero for eliminated rows).
template <class S>
void hard_extract_backward(MatRef<S> din, const ConstMatRef<S>& dout, std::span<const int> rows);

// Soft-Extract: out[order[k]] = in[order[k]] * r[k] for k < n (r has at least n entries).
template <class S>
void soft_extract_forward(MatRef<S> out, const ConstMatRef<S>& in, std::span<const int> order, const S* r);
// din[order[k]] = dout[order[k]] * r[k]; dr[k] += dout[order[k]] . in[order[k]]. din may alias dout.
template <class S>
void soft_extract_backward(MatRef<S> din, const ConstMatRef<S>& dout, const ConstMatRef<S>& in, std::span<const int> order,
                           const S* r, S* dr);

}  // namespace pb::train
