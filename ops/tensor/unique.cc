// Unique: the distinct elements of the flattened input, or the distinct slices along `axis`,
// in ascending (lexicographic, for slices) order or, with sorted=0, in order of first
// occurrence. Optional int64 outputs: the index of each one's first occurrence, the index of
// each input element (slice) in the output, and how often each occurs. All output shapes
// depend on the data, so they are made while running. NaNs count as equal to each other and
// larger than every number; -0 equals 0.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

constexpr DTypeSet kUniqueDTypes = kFixedSizeDTypes | kStringDTypes;

template <class T>
bool elem_less(const T& a, const T& b) {
  if constexpr (is_floating_v<T>) {
    const auto x = load_elem(a), y = load_elem(b);
    return !std::isnan(x) && (std::isnan(y) || x < y);
  } else {
    return a < b;
  }
}

template <class T>
const T* elements_of(const Tensor& t) {
  if constexpr (std::is_same_v<T, std::string>)
    return t.strings().data();
  else
    return t.data<T>();
}

template <class T>
T* elements_of(Tensor& t) {
  if constexpr (std::is_same_v<T, std::string>)
    return t.strings().data();
  else
    return t.data<T>();
}

class UniqueKernel : public Kernel {
 public:
  explicit UniqueKernel(const BuildContext& ctx) {
    if (!ctx.has_input(0)) throw Error(Stage::Build, "Unique expects a data input");
    dtype_ = ctx.input_dtype(0);
    if (!dtype_in(dtype_, kUniqueDTypes))
      throw Error(Stage::Build, "Unique does not support " + std::string(dtype_name(dtype_)));
    if (ctx.attrs.has("axis")) {
      has_axis_ = true;
      axis_ = ctx.attrs.get_int("axis");
    }
    sorted_ = ctx.attrs.get_int("sorted", 1) != 0;
  }

  void infer(InferContext& ctx) override {
    if (const Shape* s = ctx.input_shape(0); s && has_axis_) slicing(*s, Stage::Plan);
    ctx.set_output_dtype(0, dtype_);
    for (size_t i = 1; i < 4; ++i) ctx.set_output_dtype(i, DType::Int64);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Slicing sl = slicing(x.shape(), Stage::Run);
    visit_dtype<kUniqueDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      compute<T>(ctx, x, sl);
    });
  }

 private:
  // The input seen as `count` slices of outer x inner elements: element (o, s, j) is at
  // (o * count + s) * inner + j.
  struct Slicing {
    size_t axis = 0;
    int64_t outer = 1, count = 0, inner = 1;
  };

  Slicing slicing(const Shape& s, Stage stage) const {
    Slicing sl;
    if (!has_axis_) {
      sl.count = shape_numel(s);
      return sl;
    }
    const int64_t r = static_cast<int64_t>(s.size());
    if (axis_ < -r || axis_ >= r)
      throw Error(stage, "axis " + std::to_string(axis_) + " is out of range for rank " + std::to_string(r));
    sl.axis = static_cast<size_t>(axis_ < 0 ? axis_ + r : axis_);
    sl.outer = dims_product(s, 0, sl.axis);
    sl.count = s[sl.axis];
    sl.inner = dims_product(s, sl.axis + 1, s.size());
    return sl;
  }

  template <class T>
  void compute(RunContext& ctx, const Tensor& x, const Slicing& sl) const {
    const T* data = elements_of<T>(x);
    const int64_t row = sl.count * sl.inner;
    auto slice_cmp = [&](int64_t a, int64_t b) {  // <0, 0, >0
      for (int64_t o = 0; o < sl.outer; ++o)
        for (int64_t j = 0; j < sl.inner; ++j) {
          const T& va = data[o * row + a * sl.inner + j];
          const T& vb = data[o * row + b * sl.inner + j];
          if (elem_less(va, vb)) return -1;
          if (elem_less(vb, va)) return 1;
        }
      return 0;
    };
    std::vector<int64_t> order(static_cast<size_t>(sl.count));
    std::iota(order.begin(), order.end(), int64_t{0});
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return slice_cmp(a, b) < 0; });
    // Groups of equal slices, in sorted order; the stable sort puts each group's first
    // occurrence first.
    std::vector<int64_t> first, counts, group_of(static_cast<size_t>(sl.count));
    for (size_t i = 0; i < order.size(); ++i) {
      if (i == 0 || slice_cmp(order[i - 1], order[i]) != 0) {
        first.push_back(order[i]);
        counts.push_back(0);
      }
      counts.back() += 1;
      group_of[order[i]] = static_cast<int64_t>(first.size()) - 1;
    }
    const size_t u = first.size();
    std::vector<int64_t> rank(u);  // output position of each group
    std::iota(rank.begin(), rank.end(), int64_t{0});
    if (!sorted_) {
      std::vector<int64_t> by_first(u);
      std::iota(by_first.begin(), by_first.end(), int64_t{0});
      std::sort(by_first.begin(), by_first.end(), [&](int64_t a, int64_t b) { return first[a] < first[b]; });
      for (size_t p = 0; p < u; ++p) rank[by_first[p]] = static_cast<int64_t>(p);
    }
    const int64_t un = static_cast<int64_t>(u);
    Shape y_shape = has_axis_ ? x.shape() : Shape{un};
    if (has_axis_) y_shape[sl.axis] = un;
    Tensor y(dtype_, y_shape), indices(DType::Int64, {un}), inverse(DType::Int64, {sl.count}),
        count_t(DType::Int64, {un});
    T* yd = elements_of<T>(y);
    int64_t* id = indices.data<int64_t>();
    int64_t* cd = count_t.data<int64_t>();
    for (size_t g = 0; g < u; ++g) {
      const int64_t p = rank[g];
      id[p] = first[g];
      cd[p] = counts[g];
      for (int64_t o = 0; o < sl.outer; ++o)
        for (int64_t j = 0; j < sl.inner; ++j)
          yd[(o * un + p) * sl.inner + j] = data[o * row + first[g] * sl.inner + j];
    }
    int64_t* inv = inverse.data<int64_t>();
    for (int64_t s = 0; s < sl.count; ++s) inv[s] = rank[group_of[s]];
    ctx.set_output(0, std::move(y));
    ctx.set_output(1, std::move(indices));
    ctx.set_output(2, std::move(inverse));
    ctx.set_output(3, std::move(count_t));
  }

  DType dtype_ = DType::Undefined;
  bool has_axis_ = false, sorted_ = true;
  int64_t axis_ = 0;
};

ONNXI_REGISTER_KERNEL("", "Unique", 11, 28, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new UniqueKernel(ctx)); });

}  // namespace
}  // namespace onnxi
