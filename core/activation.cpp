#include "core/activation.h"

#include <unsupported/Eigen/SpecialFunctions>

#include <cmath>

namespace pb {

void apply_activation(StridedMatrixMap x, Activation activation) {
    auto a = x.array();
    switch (activation) {
    case Activation::Gelu: a = 0.5f * a * (1.0f + (a * float(M_SQRT1_2)).erf()); break;
    case Activation::GeluTanh:
        a = 0.5f * a * (1.0f + (float(std::sqrt(2.0 / M_PI)) * (a + 0.044715f * a.cube())).tanh());
        break;
    case Activation::Relu: a = a.cwiseMax(0.0f); break;
    }
}

}  // namespace pb
