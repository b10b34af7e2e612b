#pragma once
// Dense layer y = x W^T + b (W in Hugging Face's [out, in] layout) and its backward pass.
#include "core/train/matrix_types.h"

namespace pb::train {

template <class S>
void linear_forward(MatRef<S> y, const ConstMatRef<S>& x, const S* weight, const S* bias, int out, int in);

// dW += dy^T x, db += column sums of dy; dx = dy W (accumulate: dx += dy W). dx may be null-sized (skipped).
template <class S>
void linear_backward(const ConstMatRef<S>& dy, const ConstMatRef<S>& x, const S* weight, int out, int in, S* dweight,
                     S* dbias, MatRef<S>* dx, bool accumulate_dx);

}  // namespace pb::train
