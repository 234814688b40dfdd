// Einsum: Einstein summation over any number of inputs of one numeric dtype.
//
// The equation "ab,bc->ac" names each input dim with a letter; "..." stands for the
// leading dims not named (broadcast across inputs, right-aligned). Without "->" the output
// is the ellipsis dims followed by the letters used exactly once, in ASCII order (upper
// case first). A letter repeated within one input takes its diagonal; letters missing from
// the output are summed over. Size-1 dims broadcast against the same letter elsewhere.
//
// One generic loop: every label gets a size and, per input, a stride (the sum of the
// strides of the dims it names, 0 where the dim is broadcast); each output element sums the
// product of the inputs over the summed labels (the innermost as a tight strided loop, the
// rest by an odometer). Floats accumulate in double,
// integers wrap.
#include <algorithm>
#include <string>
#include <type_traits>
#include <vector>

#include "ops/common/broadcast.h"
#include "ops/common/convert.h"
#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "ops/common/wrap_arith.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

constexpr int kLetters = 52;  // 'A'-'Z' are labels 0-25, 'a'-'z' 26-51: ASCII order
constexpr int kEllipsis = -1;
constexpr int64_t kMaxSteps = int64_t{1} << 38;

int label_of(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return 26 + (c - 'a');
  return -2;
}

// Parses one term into labels, with kEllipsis for "..."; throws on anything else.
std::vector<int> parse_term(const std::string& t) {
  std::vector<int> labels;
  bool ellipsis = false;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '.') {
      if (t.compare(i, 3, "...") != 0) throw Error(Stage::Build, "Einsum: '.' outside an ellipsis");
      if (ellipsis) throw Error(Stage::Build, "Einsum: more than one ellipsis in a term");
      ellipsis = true;
      labels.push_back(kEllipsis);
      i += 2;
      continue;
    }
    int l = label_of(t[i]);
    if (l < 0) throw Error(Stage::Build, std::string("Einsum: invalid character '") + t[i] + "' in equation");
    labels.push_back(l);
  }
  return labels;
}

// The contraction for one set of input shapes.
struct Contraction {
  Shape out_shape;
  std::vector<int64_t> out_sizes, sum_sizes;                   // per output / summed label
  std::vector<std::vector<int64_t>> out_strides, sum_strides;  // [input][label]
  int64_t sum_count = 1;
};

class EinsumKernel : public Kernel {
 public:
  explicit EinsumKernel(const BuildContext& ctx) {
    std::string eq = ctx.attrs.get_string("equation");
    eq.erase(std::remove_if(eq.begin(), eq.end(), [](char c) { return c == ' ' || c == '\t'; }), eq.end());
    const size_t arrow = eq.find("->");
    std::string lhs = eq.substr(0, arrow);
    if (arrow != std::string::npos) {
      explicit_out_ = true;
      std::string rhs = eq.substr(arrow + 2);
      if (rhs.find("->") != std::string::npos) throw Error(Stage::Build, "Einsum: more than one '->'");
      out_term_ = parse_term(rhs);
    }
    size_t start = 0;
    while (true) {
      size_t comma = lhs.find(',', start);
      terms_.push_back(parse_term(lhs.substr(start, comma - start)));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (ctx.node.inputs.size() != terms_.size())
      throw Error(Stage::Build, "Einsum: the equation has " + std::to_string(terms_.size()) + " terms for " +
                                    std::to_string(ctx.node.inputs.size()) + " inputs");
    for (size_t i = 0; i < terms_.size(); ++i)
      if (!ctx.has_input(i)) throw Error(Stage::Build, "Einsum input " + std::to_string(i) + " is missing");
    dtype_ = ctx.input_dtype(0);
    if (!dtype_in(dtype_, kNumericDTypes))
      throw Error(Stage::Build, "Einsum does not support " + std::string(dtype_name(dtype_)));
    for (size_t i = 1; i < terms_.size(); ++i)
      if (ctx.input_dtype(i) != dtype_) throw Error(Stage::Build, "Einsum inputs have different dtypes");
    std::vector<int> uses(kLetters, 0);
    for (const auto& t : terms_)
      for (int l : t)
        if (l >= 0) ++uses[l];
    if (explicit_out_) {
      std::vector<bool> seen(kLetters, false);
      for (int l : out_term_) {
        if (l == kEllipsis) continue;
        if (!uses[l]) throw Error(Stage::Build, "Einsum: output label is not in any input");
        if (seen[l]) throw Error(Stage::Build, "Einsum: output label is repeated");
        seen[l] = true;
      }
    } else {
      bool any_ellipsis = false;
      for (const auto& t : terms_) any_ellipsis |= std::count(t.begin(), t.end(), kEllipsis) > 0;
      if (any_ellipsis) out_term_.push_back(kEllipsis);
      for (int l = 0; l < kLetters; ++l)
        if (uses[l] == 1) out_term_.push_back(l);
    }
  }

  void infer(InferContext& ctx) override {
    std::vector<Shape> shapes;
    for (size_t i = 0; i < terms_.size(); ++i) {
      const Shape* s = ctx.input_shape(i);
      if (!s) {
        ctx.set_output_dtype(0, dtype_);
        return;
      }
      shapes.push_back(*s);
    }
    ctx.set_output(0, dtype_, contraction(shapes, Stage::Plan).out_shape);
  }

  void run(RunContext& ctx) const override {
    std::vector<Shape> shapes;
    std::vector<const Tensor*> xs;
    for (size_t i = 0; i < terms_.size(); ++i) {
      xs.push_back(&ctx.input(i));
      if (xs.back()->dtype() != dtype_) throw Error(Stage::Run, "Einsum inputs have different dtypes");
      shapes.push_back(xs.back()->shape());
    }
    const Contraction c = contraction(shapes, Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, c.out_shape);
    if (y.numel() == 0) return;
    visit_dtype<kNumericDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      std::vector<const T*> ptrs;
      for (const Tensor* x : xs) ptrs.push_back(x->data<T>());
      compute<T>(c, ptrs, y.data<T>(), y.numel(), ctx.threadpool());
    });
  }

 private:
  Contraction contraction(const std::vector<Shape>& shapes, Stage stage) const {
    // Ellipsis rank: the largest number of dims an ellipsis covers.
    std::vector<int64_t> ell_rank(terms_.size(), 0);
    int64_t ell = 0;
    for (size_t i = 0; i < terms_.size(); ++i) {
      const int64_t named = static_cast<int64_t>(
          std::count_if(terms_[i].begin(), terms_[i].end(), [](int l) { return l >= 0; }));
      const bool has_ell = named != static_cast<int64_t>(terms_[i].size());
      const int64_t r = static_cast<int64_t>(shapes[i].size());
      if (has_ell ? r < named : r != named)
        throw Error(stage, "Einsum: input " + std::to_string(i) + " of rank " + std::to_string(r) +
                               " does not match its term");
      ell_rank[i] = r - named;
      ell = std::max(ell, ell_rank[i]);
    }
    const size_t nlabels = static_cast<size_t>(kLetters + ell);  // ellipsis dims follow the letters
    std::vector<int64_t> size(nlabels, -1);
    // Labels of each input dim.
    std::vector<std::vector<int>> dim_labels(terms_.size());
    for (size_t i = 0; i < terms_.size(); ++i) {
      for (int l : terms_[i]) {
        if (l == kEllipsis) {
          for (int64_t k = 0; k < ell_rank[i]; ++k)
            dim_labels[i].push_back(static_cast<int>(kLetters + ell - ell_rank[i] + k));
        } else {
          dim_labels[i].push_back(l);
        }
      }
      for (size_t d = 0; d < dim_labels[i].size(); ++d) {
        int64_t& s = size[dim_labels[i][d]];
        const int64_t v = shapes[i][d];
        if (s < 0 || s == 1)
          s = v;
        else if (v != 1 && v != s)
          throw Error(stage, "Einsum: dimension " + std::to_string(v) + " of input " + std::to_string(i) +
                                 " does not match " + std::to_string(s) + " for the same label");
      }
    }
    // Output labels (ellipsis expanded), then the summed labels.
    std::vector<int> out_labels, sum_labels;
    std::vector<bool> in_out(nlabels, false);
    for (int l : out_term_) {
      if (l == kEllipsis) {
        for (int64_t k = 0; k < ell; ++k) out_labels.push_back(static_cast<int>(kLetters + k));
      } else {
        out_labels.push_back(l);
      }
    }
    for (int l : out_labels) in_out[l] = true;
    for (size_t l = 0; l < nlabels; ++l)
      if (size[l] >= 0 && !in_out[l]) sum_labels.push_back(static_cast<int>(l));
    Contraction c;
    for (int l : out_labels) {
      const int64_t s = size[l] < 0 ? 1 : size[l];  // an ellipsis no input covered
      c.out_shape.push_back(s);
      c.out_sizes.push_back(s);
    }
    shape_numel(c.out_shape);  // throws on overflow
    Shape sums;
    for (int l : sum_labels) {
      c.sum_sizes.push_back(size[l]);
      sums.push_back(size[l]);
    }
    c.sum_count = shape_numel(sums);
    // The loop does out_numel * sum_count steps: refuse what would run for hours.
    int64_t steps = 0;
    if (__builtin_mul_overflow(shape_numel(c.out_shape), c.sum_count, &steps) || steps > kMaxSteps)
      throw Error(stage, "Einsum: the contraction is too large for the generic loop");
    c.out_strides.resize(terms_.size());
    c.sum_strides.resize(terms_.size());
    for (size_t i = 0; i < terms_.size(); ++i) {
      std::vector<int64_t> stride(nlabels, 0);
      int64_t st = 1;
      for (size_t d = dim_labels[i].size(); d-- > 0;) {
        if (shapes[i][d] != 1) stride[dim_labels[i][d]] += st;
        st *= shapes[i][d];
      }
      for (int l : out_labels) c.out_strides[i].push_back(stride[l]);
      for (int l : sum_labels) c.sum_strides[i].push_back(stride[l]);
    }
    return c;
  }

  template <class T>
  static void compute(const Contraction& c, const std::vector<const T*>& xs, T* y, int64_t out_numel,
                      pthreadpool_t pool) {
    using V = std::conditional_t<is_floating_v<T>, double,
                                 std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>;
    const size_t n_in = xs.size(), n_out = c.out_sizes.size(), n_sum = c.sum_sizes.size();
    // The innermost summed label runs as a tight loop; an odometer steps the others.
    const size_t n_odo = n_sum ? n_sum - 1 : 0;
    const int64_t run = n_sum ? c.sum_sizes[n_sum - 1] : 1;
    const int64_t runs = run ? c.sum_count / run : 0;
    std::vector<int64_t> run_stride(n_in, 0);
    for (size_t i = 0; i < n_in && n_sum; ++i) run_stride[i] = c.sum_strides[i][n_sum - 1];
    auto value = [](T v) { return static_cast<V>(load_elem(v)); };
    parallel_chunks(pool, out_numel, c.sum_count * static_cast<int64_t>(n_in), [&](int64_t b, int64_t e) {
      std::vector<int64_t> off(n_in), idx(n_odo);
      for (int64_t o = b; o < e; ++o) {
        std::fill(off.begin(), off.end(), 0);
        int64_t rem = o;
        for (size_t d = n_out; d-- > 0;) {
          const int64_t k = rem % c.out_sizes[d];
          rem /= c.out_sizes[d];
          for (size_t i = 0; i < n_in; ++i) off[i] += k * c.out_strides[i][d];
        }
        std::fill(idx.begin(), idx.end(), 0);
        V acc = V(0);
        for (int64_t s = 0; s < runs; ++s) {
          if (n_in == 2) {
            const T* pa = xs[0] + off[0];
            const T* pb = xs[1] + off[1];
            const int64_t sa = run_stride[0], sb = run_stride[1];
            for (int64_t t = 0; t < run; ++t)
              acc = wrap_add(acc, wrap_mul(value(pa[t * sa]), value(pb[t * sb])));
          } else {
            for (int64_t t = 0; t < run; ++t) {
              V p = value(xs[0][off[0] + t * run_stride[0]]);
              for (size_t i = 1; i < n_in; ++i) p = wrap_mul(p, value(xs[i][off[i] + t * run_stride[i]]));
              acc = wrap_add(acc, p);
            }
          }
          for (size_t d = n_odo; d-- > 0;) {
            for (size_t i = 0; i < n_in; ++i) off[i] += c.sum_strides[i][d];
            if (++idx[d] < c.sum_sizes[d]) break;
            for (size_t i = 0; i < n_in; ++i) off[i] -= c.sum_strides[i][d] * c.sum_sizes[d];
            idx[d] = 0;
          }
        }
        y[o] = convert_value<T>(acc);
      }
    });
  }

  std::vector<std::vector<int>> terms_;
  std::vector<int> out_term_;
  bool explicit_out_ = false;
  DType dtype_ = DType::Undefined;
};

ONNXI_REGISTER_KERNEL("", "Einsum", 12, 28, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new EinsumKernel(ctx)); });

}  // namespace
}  // namespace onnxi
