#include "core/train/activation_grad.h"

#include <unsupported/Eigen/SpecialFunctions>

#include <cmath>

namespace pb::train {
namespace {

template <class S>
S gelu_tanh(S x) {
    const S k = S(0.7978845608028654);  // sqrt(2/pi)
    return S(0.5) * x * (S(1) + std::tanh(k * (x + S(0.044715) * x * x * x)));
}
template <class S>
S gelu_tanh_derivative(S x) {
    const S k = S(0.7978845608028654);
    const S t = std::tanh(k * (x + S(0.044715) * x * x * x));
    return S(0.5) * (S(1) + t) + S(0.5) * x * (S(1) - t * t) * k * (S(1) + S(3 * 0.044715) * x * x);
}

}  // namespace

template <class S>
void activation_forward(MatRef<S> out, const ConstMatRef<S>& in, Activation activation) {
    switch (activation) {
    case Activation::Gelu:  // Eigen's erf is vectorised for float
        out.array() = S(0.5) * in.array() * (S(1) + (in.array() * S(M_SQRT1_2)).erf());
        break;
    case Activation::GeluTanh:
        for (Eigen::Index i = 0; i < in.rows(); ++i)
            for (Eigen::Index j = 0; j < in.cols(); ++j) out(i, j) = gelu_tanh(in(i, j));
        break;
    case Activation::Relu: out.array() = in.array().max(S(0)); break;
    }
}

template <class S>
void activation_backward(MatRef<S> d_in, const ConstMatRef<S>& d_out, const ConstMatRef<S>& in, Activation activation) {
    switch (activation) {
    case Activation::Gelu: {
        const auto x = in.array();
        d_in.array() = d_out.array() * (S(0.5) * (S(1) + (x * S(M_SQRT1_2)).erf()) +
                                        x * (S(-0.5) * x.square()).exp() * S(0.3989422804014327));
        break;
    }
    case Activation::GeluTanh:
        for (Eigen::Index i = 0; i < in.rows(); ++i)
            for (Eigen::Index j = 0; j < in.cols(); ++j) d_in(i, j) = d_out(i, j) * gelu_tanh_derivative(in(i, j));
        break;
    case Activation::Relu: d_in.array() = (in.array() > S(0)).select(d_out.array(), S(0)); break;
    }
}

template void activation_forward<float>(MatRef<float>, const ConstMatRef<float>&, Activation);
template void activation_forward<double>(MatRef<double>, const ConstMatRef<double>&, Activation);
template void activation_backward<float>(MatRef<float>, const ConstMatRef<float>&, const ConstMatRef<float>&, Activation);
template void activation_backward<double>(MatRef<double>, const ConstMatRef<double>&, const ConstMatRef<double>&, Activation);

}  // namespace pb::train
