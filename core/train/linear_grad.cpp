#include "core/train/linear_grad.h"

namespace pb::train {

template <class S>
void linear_forward(MatRef<S> y, const ConstMatRef<S>& x, const S* weight, const S* bias, int out, int in) {
    ConstMatMap<S> w(weight, out, in);
    y.noalias() = x * w.transpose();
    if (bias) y.rowwise() += ConstRowVecMap<S>(bias, out);
}

template <class S>
void linear_backward(const ConstMatRef<S>& dy, const ConstMatRef<S>& x, const S* weight, int out, int in, S* dweight,
                     S* dbias, MatRef<S>* dx, bool accumulate_dx) {
    ConstMatMap<S> w(weight, out, in);
    if (dweight) MatMap<S>(dweight, out, in).noalias() += dy.transpose() * x;
    if (dbias) {
        // Reduce into an aligned temporary: Eigen's vectorised reduction peels columns according to
        // the destination's address, so summing straight into the (arbitrarily aligned) gradient
        // buffer would round differently from one allocation to the next.
        const RowVec<S> sum = dy.colwise().sum();
        RowVecMap<S>(dbias, out) += sum;
    }
    if (dx) {
        if (accumulate_dx) dx->noalias() += dy * w;
        else dx->noalias() = dy * w;
    }
}

template void linear_forward<float>(MatRef<float>, const ConstMatRef<float>&, const float*, const float*, int, int);
template void linear_forward<double>(MatRef<double>, const ConstMatRef<double>&, const double*, const double*, int, int);
template void linear_backward<float>(const ConstMatRef<float>&, const ConstMatRef<float>&, const float*, int, int, float*,
                                     float*, MatRef<float>*, bool);
template void linear_backward<double>(const ConstMatRef<double>&, const ConstMatRef<double>&, const double*, int, int,
                                      double*, double*, MatRef<double>*, bool);

}  // namespace pb::train
