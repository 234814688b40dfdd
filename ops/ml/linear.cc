// LinearClassifier and LinearRegressor (ai.onnx.ml 1): scores = X * coefficients^T +
// intercepts, then the post transform; the classifier labels by the best score (or, with
// one score column, by a threshold). Computed in double, output as float.
#include "ops/common/kernel_util.h"
#include "ops/ml/ml_common.h"

namespace onnxi::ml {
namespace {

// The linear part both ops share: coefficients as [outputs, C] rows.
struct LinearScores {
  std::vector<double> coef, intercepts;
  int64_t outputs = 0;  // rows of coefficients; 0: derived from X's column count

  // scores[rows * n_out]; n_out = the number of coefficient rows.
  std::vector<double> compute(const FeatureRows& x, int64_t& n_out, const std::string& op) const {
    int64_t c = x.cols;
    if (c <= 0 || coef.size() % static_cast<size_t>(c) != 0 ||
        (outputs > 0 && static_cast<int64_t>(coef.size()) != outputs * c))
      throw Error(Stage::Run, op + ": " + std::to_string(coef.size()) + " coefficients do not fit X with " +
                                  std::to_string(c) + " columns");
    n_out = static_cast<int64_t>(coef.size()) / c;
    if (!intercepts.empty() && intercepts.size() != 1 && static_cast<int64_t>(intercepts.size()) != n_out)
      throw Error(Stage::Run, op + ": intercepts has " + std::to_string(intercepts.size()) + " values, expected " +
                                  std::to_string(n_out));
    std::vector<double> s(static_cast<size_t>(x.rows * n_out));
    for (int64_t r = 0; r < x.rows; ++r)
      for (int64_t k = 0; k < n_out; ++k) {
        double acc = intercepts.empty() ? 0.0 : intercepts[intercepts.size() == 1 ? 0 : static_cast<size_t>(k)];
        const double* w = coef.data() + k * c;
        const double* xr = x.row(r);
        for (int64_t j = 0; j < c; ++j) acc += xr[j] * w[j];
        s[static_cast<size_t>(r * n_out + k)] = acc;
      }
    return s;
  }
};

class LinearClassifierKernel : public Kernel {
 public:
  explicit LinearClassifierKernel(const BuildContext& ctx) {
    const std::string op = "LinearClassifier";
    lin_.coef = floats_or_tensor(ctx.attrs, "coefficients", false, op);
    if (lin_.coef.empty()) throw Error(Stage::Build, op + ": coefficients is required");
    lin_.intercepts = floats_or_tensor(ctx.attrs, "intercepts", false, op);
    labels_ = read_class_labels(ctx.attrs, "classlabels_ints", "classlabels_strings", op);
    post_ = read_post_transform(ctx.attrs, op);
    check_numeric_x(ctx, op);
  }

  void infer(InferContext& ctx) override {
    const Shape* s = ctx.input_shape(0);
    int64_t c = s && !s->empty() ? s->back() : 0;
    bool fits = c > 0 && lin_.coef.size() % static_cast<size_t>(c) == 0;
    infer_classifier(ctx, labels_.dtype(), fits ? score_columns(static_cast<int64_t>(lin_.coef.size()) / c) : -1);
  }

  void run(RunContext& ctx) const override {
    const std::string op = "LinearClassifier";
    FeatureRows x = read_rows(ctx.input(0), op);
    int64_t k = 0;
    std::vector<double> raw = lin_.compute(x, k, op);
    int64_t cols = score_columns(k);
    size_t nc = static_cast<size_t>(cols);
    std::vector<double> scores(static_cast<size_t>(x.rows) * nc);
    std::vector<int64_t> index(static_cast<size_t>(x.rows));
    std::vector<int64_t> ints(static_cast<size_t>(x.rows));
    std::vector<std::string> names(labels_.strings ? static_cast<size_t>(x.rows) : 0);
    for (size_t r = 0; r < index.size(); ++r) {
      double* s = scores.data() + r * nc;
      if (cols == 2 && k == 1) {
        s[0] = -raw[r];
        s[1] = raw[r];
      } else {
        std::copy(raw.begin() + static_cast<ptrdiff_t>(r * nc), raw.begin() + static_cast<ptrdiff_t>((r + 1) * nc), s);
      }
      apply_post_transform(post_, s, nc);
      if (nc > 1) {
        size_t best = 0;
        for (size_t j = 1; j < nc; ++j)
          if (s[j] > s[best]) best = j;
        index[r] = static_cast<int64_t>(best);
        continue;
      }
      // One score column: the first label when the score reaches the threshold.
      bool yes = s[0] >= (post_ == PostTransform::None ? 0.0 : 0.5);
      if (labels_.strings)
        names[r] = yes ? labels_.names[0] : "";
      else
        ints[r] = yes ? (labels_.ints.empty() ? 1 : labels_.ints[0]) : 0;
    }
    if (nc > 1)
      ctx.set_output(0, make_label_tensor(labels_, index, op));
    else if (labels_.strings)
      ctx.set_output(0, Tensor::from_vector(names, {x.rows}));
    else
      ctx.set_output(0, Tensor::from_vector(ints, {x.rows}));
    if (ctx.has_output(1)) doubles_to_tensor(scores, output_for(ctx, 1, DType::Float, {x.rows, cols}));
  }

 private:
  // One coefficient row and two classes: scores for both, [-s, s].
  int64_t score_columns(int64_t k) const { return k == 1 && labels_.size() == 2 ? 2 : k; }

  LinearScores lin_;
  ClassLabels labels_;
  PostTransform post_ = PostTransform::None;
};

class LinearRegressorKernel : public Kernel {
 public:
  explicit LinearRegressorKernel(const BuildContext& ctx) {
    const std::string op = "LinearRegressor";
    lin_.coef = floats_or_tensor(ctx.attrs, "coefficients", false, op);
    if (lin_.coef.empty()) throw Error(Stage::Build, op + ": coefficients is required");
    lin_.intercepts = floats_or_tensor(ctx.attrs, "intercepts", false, op);
    lin_.outputs = ctx.attrs.get_int("targets", 1);
    if (lin_.outputs < 1) throw Error(Stage::Build, op + ": targets must be >= 1");
    post_ = read_post_transform(ctx.attrs, op);
    check_numeric_x(ctx, op);
  }

  void infer(InferContext& ctx) override { infer_regressor(ctx, DType::Float, lin_.outputs); }

  void run(RunContext& ctx) const override {
    const std::string op = "LinearRegressor";
    FeatureRows x = read_rows(ctx.input(0), op);
    int64_t k = 0;
    std::vector<double> s = lin_.compute(x, k, op);
    for (int64_t r = 0; r < x.rows; ++r) apply_post_transform(post_, s.data() + r * k, static_cast<size_t>(k));
    doubles_to_tensor(s, output_for(ctx, 0, DType::Float, {x.rows, k}));
  }

 private:
  LinearScores lin_;
  PostTransform post_ = PostTransform::None;
};

ONNXI_REGISTER_KERNEL(kDomain, "LinearClassifier", 1, 1, kRef, [](const BuildContext& c) {
  return std::make_unique<LinearClassifierKernel>(c);
});
ONNXI_REGISTER_KERNEL(kDomain, "LinearRegressor", 1, 1, kRef, [](const BuildContext& c) {
  return std::make_unique<LinearRegressorKernel>(c);
});

}  // namespace
}  // namespace onnxi::ml
