// NonZero: the coordinates of the non-zero elements, as an int64 [rank, count] tensor in
// row-major order of the elements. Strings count as non-zero when not empty. A scalar is
// treated as a 1-element vector (like numpy), giving [1, count]. The count depends on the
// data, so the output shape is only known once the input value is.
#include <string>

#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

constexpr DTypeSet kNonZeroDTypes = kFixedSizeDTypes | kStringDTypes;

template <class T>
bool is_nonzero(const T& v) {
  if constexpr (std::is_same_v<T, std::string>)
    return !v.empty();
  else if constexpr (is_half_v<T>)
    return load_elem(v) != 0.0f;  // -0 and +0 are both zero
  else
    return v != T(0);
}

class NonZeroKernel : public Kernel {
 public:
  explicit NonZeroKernel(const BuildContext& ctx) {
    if (!ctx.has_input(0)) throw Error(Stage::Build, "NonZero expects a data input");
    dtype_ = ctx.input_dtype(0);
    if (!dtype_in(dtype_, kNonZeroDTypes))
      throw Error(Stage::Build, "NonZero does not support " + std::string(dtype_name(dtype_)));
  }

  void infer(InferContext& ctx) override {
    const Tensor* x = ctx.input_value(0);
    if (!x) {
      ctx.set_output_dtype(0, DType::Int64);
      return;
    }
    ctx.set_output(0, DType::Int64, {coord_rank(*x), count(*x)});
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t rank = coord_rank(x);
    const int64_t n = count(x);
    Tensor& y = output_for(ctx, 0, DType::Int64, {rank, n});
    if (n == 0) return;
    int64_t* out = y.data<int64_t>();
    const Shape& shape = x.shape();
    visit_dtype<kNonZeroDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* d = data_of<T>(x);
      std::vector<int64_t> idx(shape.size(), 0);  // coordinates of element i
      int64_t col = 0;
      for (int64_t i = 0; i < x.numel(); ++i) {
        if (is_nonzero(d[i])) {
          if (shape.empty()) out[col] = 0;
          for (size_t r = 0; r < shape.size(); ++r) out[static_cast<int64_t>(r) * n + col] = idx[r];
          ++col;
        }
        for (size_t r = shape.size(); r-- > 0;) {
          if (++idx[r] < shape[r]) break;
          idx[r] = 0;
        }
      }
    });
  }

 private:
  template <class T>
  static const T* data_of(const Tensor& t) {
    if constexpr (std::is_same_v<T, std::string>)
      return t.strings().data();
    else
      return t.data<T>();
  }

  static int64_t coord_rank(const Tensor& x) { return x.rank() == 0 ? 1 : static_cast<int64_t>(x.rank()); }

  int64_t count(const Tensor& x) const {
    int64_t n = 0;
    visit_dtype<kNonZeroDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* d = data_of<T>(x);
      for (int64_t i = 0; i < x.numel(); ++i) n += is_nonzero(d[i]);
    });
    return n;
  }

  DType dtype_ = DType::Undefined;
};

ONNXI_REGISTER_KERNEL("", "NonZero", 9, 13, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new NonZeroKernel(ctx));
});

}  // namespace
}  // namespace onnxi
