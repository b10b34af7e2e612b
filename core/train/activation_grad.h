#pragma once
// The feed-forward activations of config.json's hidden_act: exact (erf) GELU, its tanh
// approximation and ReLU, with their derivatives.
#include "core/model_config.h"
#include "core/train/matrix_types.h"

namespace pb::train {

// out = f(in), elementwise; in is kept by the caller for the backward pass.
template <class S>
void activation_forward(MatRef<S> out, const ConstMatRef<S>& in, Activation activation);

// d_in = d_out * f'(in); d_in may alias d_out.
template <class S>
void activation_backward(MatRef<S> d_in, const ConstMatRef<S>& d_out, const ConstMatRef<S>& in, Activation activation);

}  // namespace pb::train
