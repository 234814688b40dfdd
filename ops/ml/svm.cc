// SVMClassifier and SVMRegressor (ai.onnx.ml 1), as ONNX's reference evaluates them:
// one-vs-one voting over support vectors (or a linear model when vectors_per_class is
// empty), Platt probabilities coupled across class pairs when prob_a/prob_b are given.
// Computed in double.
#include <cmath>

#include "ops/common/kernel_util.h"
#include "ops/ml/ml_common.h"

namespace onnxi::ml {
namespace {

enum class SvmKernelType { Linear, Poly, Rbf, Sigmoid };

struct SvmKernelFn {
  SvmKernelType type = SvmKernelType::Linear;
  double gamma = 0, coef0 = 0;
  int64_t degree = 0;

  SvmKernelFn(const AttributeReader& attrs, const std::string& op) {
    std::string t = attrs.get_string("kernel_type", "LINEAR");
    if (t == "LINEAR") type = SvmKernelType::Linear;
    else if (t == "POLY") type = SvmKernelType::Poly;
    else if (t == "RBF") type = SvmKernelType::Rbf;
    else if (t == "SIGMOID") type = SvmKernelType::Sigmoid;
    else throw Error(Stage::Build, op + ": kernel_type must be LINEAR, POLY, RBF or SIGMOID, got '" + t + "'");
    std::vector<float> p = attrs.get_floats("kernel_params");
    if (!p.empty() && p.size() != 3)
      throw Error(Stage::Build, op + ": kernel_params must be [gamma, coef0, degree]");
    if (p.size() == 3) {
      gamma = p[0];
      coef0 = p[1];
      degree = static_cast<int64_t>(p[2]);
    }
  }

  double operator()(const double* a, const double* b, int64_t n, SvmKernelType t) const {
    double s = 0;
    if (t == SvmKernelType::Rbf) {
      for (int64_t i = 0; i < n; ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
      return std::exp(-gamma * s);
    }
    for (int64_t i = 0; i < n; ++i) s += a[i] * b[i];
    if (t == SvmKernelType::Poly) return std::pow(s * gamma + coef0, static_cast<double>(degree));
    if (t == SvmKernelType::Sigmoid) return std::tanh(s * gamma + coef0);
    return s;
  }
};

std::vector<double> read_floats(const AttributeReader& a, const std::string& n, const std::string& op) {
  return floats_or_tensor(a, n, false, op);
}

// Pairwise coupling of the class-pair probabilities r (k x k) into class probabilities
// (Wu, Lin and Weng's second method) as libsvm, scikit-learn and ONNX Runtime do it. ONNX's
// reference (1.23.1) fills each row of Q above the diagonal with one dot product instead
// of libsvm's element-wise products, which differs from three classes on; onnxi follows
// libsvm (tests/ops/ml/gen/ml_reference.py).
std::vector<double> couple(size_t k, const std::vector<double>& r) {
  std::vector<double> q(k * k), qp(k), p(k, 1.0 / static_cast<double>(k));
  size_t max_iter = std::max<size_t>(100, k);
  double eps = 0.005 / static_cast<double>(k);
  for (size_t t = 0; t < k; ++t) {
    q[t * k + t] = 0;
    for (size_t j = 0; j < t; ++j) {
      q[t * k + t] += r[j * k + t] * r[j * k + t];
      q[t * k + j] = q[j * k + t];
    }
    for (size_t j = t + 1; j < k; ++j) {
      q[t * k + t] += r[j * k + t] * r[j * k + t];
      q[t * k + j] = -r[j * k + t] * r[t * k + j];
    }
  }
  for (size_t iter = 0; iter < max_iter; ++iter) {
    double pqp = 0;
    for (size_t t = 0; t < k; ++t) {
      qp[t] = 0;
      for (size_t j = 0; j < k; ++j) qp[t] += q[t * k + j] * p[j];
      pqp += p[t] * qp[t];
    }
    double max_error = 0;
    for (size_t t = 0; t < k; ++t) max_error = std::max(max_error, std::fabs(qp[t] - pqp));
    if (max_error < eps) break;
    for (size_t t = 0; t < k; ++t) {
      double diff = (-qp[t] + pqp) / q[t * k + t];
      p[t] += diff;
      pqp = (pqp + diff * (diff * q[t * k + t] + 2 * qp[t])) / (1 + diff) / (1 + diff);
      for (size_t j = 0; j < k; ++j) {
        qp[j] = (qp[j] + diff * q[t * k + j]) / (1 + diff);
        p[j] /= (1 + diff);
      }
    }
  }
  return p;
}

class SvmClassifierKernel : public Kernel {
 public:
  explicit SvmClassifierKernel(const BuildContext& ctx) : fn_(ctx.attrs, "SVMClassifier") {
    const std::string op = "SVMClassifier";
    labels_ = read_class_labels(ctx.attrs, "classlabels_ints", "classlabels_strings", op);
    coef_ = read_floats(ctx.attrs, "coefficients", op);
    rho_ = read_floats(ctx.attrs, "rho", op);
    prob_a_ = read_floats(ctx.attrs, "prob_a", op);
    prob_b_ = read_floats(ctx.attrs, "prob_b", op);
    sv_ = read_floats(ctx.attrs, "support_vectors", op);
    per_class_ = ctx.attrs.get_ints("vectors_per_class");
    post_ = read_post_transform(ctx.attrs, op);
    if (coef_.empty()) throw Error(Stage::Build, op + ": coefficients is required");
    if (rho_.empty()) throw Error(Stage::Build, op + ": rho is required");
    classes_ = std::max<int64_t>(static_cast<int64_t>(labels_.size()), 1);
    for (int64_t v : per_class_) {
      if (v < 0) throw Error(Stage::Build, op + ": vectors_per_class must not be negative");
      starts_.push_back(vectors_);
      vectors_ += v;
    }
    if (vectors_ > 0) {
      if (static_cast<int64_t>(per_class_.size()) != classes_)
        throw Error(Stage::Build, op + ": vectors_per_class must have one entry per class");
      if (sv_.size() % static_cast<size_t>(vectors_) != 0 || sv_.empty())
        throw Error(Stage::Build, op + ": support_vectors does not hold " + std::to_string(vectors_) + " vectors");
      features_ = static_cast<int64_t>(sv_.size()) / vectors_;
      if (static_cast<int64_t>(coef_.size()) != (classes_ - 1) * vectors_)
        throw Error(Stage::Build, op + ": coefficients must hold (classes - 1) * vectors values");
      pairs_ = classes_ * (classes_ - 1) / 2;
      if (static_cast<int64_t>(rho_.size()) < pairs_) throw Error(Stage::Build, op + ": rho needs one value per class pair");
      proba_ = !prob_a_.empty();
      if (proba_ && (static_cast<int64_t>(prob_a_.size()) < pairs_ || static_cast<int64_t>(prob_b_.size()) < pairs_))
        throw Error(Stage::Build, op + ": prob_a and prob_b need one value per class pair");
    } else {
      if (coef_.size() % static_cast<size_t>(classes_) != 0)
        throw Error(Stage::Build, op + ": coefficients must hold one row per class");
      features_ = static_cast<int64_t>(coef_.size()) / classes_;
    }
    all_positive_ = *std::min_element(coef_.begin(), coef_.end()) >= 0;
    n_scores_ = proba_ || vectors_ == 0 ? classes_ : pairs_;
    second_ = rho_.size() == 1 && labels_.size() == 2;
    z_cols_ = n_scores_ == 1 && second_ && post_ != PostTransform::Probit ? 2 : n_scores_;
    check_numeric_x(ctx, op);
  }

  void infer(InferContext& ctx) override { infer_classifier(ctx, labels_.dtype(), z_cols_); }

  void run(RunContext& ctx) const override {
    const std::string op = "SVMClassifier";
    FeatureRows x = read_rows(ctx.input(0), op);
    if (x.cols != features_)
      throw Error(Stage::Run, op + ": X has " + std::to_string(x.cols) + " columns, the model " + std::to_string(features_));
    size_t zc = static_cast<size_t>(z_cols_);
    std::vector<double> z(static_cast<size_t>(x.rows) * zc);
    std::vector<int64_t> ints(static_cast<size_t>(x.rows));
    std::vector<std::string> names(labels_.strings ? ints.size() : 0);
    std::vector<double> kern(static_cast<size_t>(vectors_)), scores, votes;
    for (size_t r = 0; r < ints.size(); ++r) {
      const double* xr = x.row(static_cast<int64_t>(r));
      scores.clear();
      votes.assign(static_cast<size_t>(classes_), 0.0);
      if (vectors_ == 0) {
        for (int64_t j = 0; j < classes_; ++j)
          scores.push_back(rho_[0] + fn_(xr, coef_.data() + j * features_, features_, SvmKernelType::Linear));
      } else {
        for (int64_t j = 0; j < vectors_; ++j) kern[static_cast<size_t>(j)] = fn_(xr, sv_.data() + j * features_, features_, fn_.type);
        size_t eval = 0;
        for (int64_t i = 0; i < classes_; ++i)
          for (int64_t j = i + 1; j < classes_; ++j, ++eval) {
            double s = rho_[eval];
            for (int64_t v = 0; v < per_class_[static_cast<size_t>(i)]; ++v)
              s += coef_[static_cast<size_t>((j - 1) * vectors_ + starts_[static_cast<size_t>(i)] + v)] *
                   kern[static_cast<size_t>(starts_[static_cast<size_t>(i)] + v)];
            for (int64_t v = 0; v < per_class_[static_cast<size_t>(j)]; ++v)
              s += coef_[static_cast<size_t>(i * vectors_ + starts_[static_cast<size_t>(j)] + v)] *
                   kern[static_cast<size_t>(starts_[static_cast<size_t>(j)] + v)];
            scores.push_back(s);
            votes[static_cast<size_t>(s > 0 ? i : j)] += 1;
          }
        if (proba_) scores = probabilities(scores);
      }
      // The label: most votes (or best score for the linear form).
      const std::vector<double>& by = vectors_ == 0 ? scores : votes;
      size_t best = 0;
      for (size_t j = 1; j < by.size(); ++j)
        if (by[j] > by[best]) best = j;
      double best_weight = by[best];
      int64_t label_index = static_cast<int64_t>(best);
      bool literal = false;
      if (rho_.size() == 1) {
        if (labels_.size() == 2) {
          if (!proba_ && all_positive_ && best_weight >= 0.5) label_index = 1;
        } else {
          literal = true;  // the positive class is 1, the negative 0
          label_index = best_weight > 0 ? 1 : 0;
        }
      }
      if (literal && labels_.strings)
        throw Error(Stage::Run, op + ": a single-rho model without two class labels labels 0/1, not strings");
      if (labels_.strings)
        names[r] = labels_.names[static_cast<size_t>(label_index)];
      else
        ints[r] = literal || labels_.ints.empty() ? label_index : labels_.ints[static_cast<size_t>(label_index)];
      write_scores(scores, z.data() + r * zc);
    }
    if (labels_.strings)
      ctx.set_output(0, Tensor::from_vector(names, {x.rows}));
    else
      ctx.set_output(0, Tensor::from_vector(ints, {x.rows}));
    if (ctx.has_output(1)) doubles_to_tensor(z, output_for(ctx, 1, DType::Float, {x.rows, z_cols_}));
  }

 private:
  std::vector<double> probabilities(const std::vector<double>& s) const {
    size_t k = static_cast<size_t>(classes_);
    std::vector<double> r(k * k, 0.0);
    size_t idx = 0;
    for (size_t i = 0; i < k; ++i)
      for (size_t j = i + 1; j < k; ++j, ++idx) {
        double v = 1.0 - logistic(s[idx] * prob_a_[idx] + prob_b_[idx]);
        v = std::min(std::max(v, 1e-7), 1 - 1e-7);
        r[i * k + j] = v;
        r[j * k + i] = 1 - v;
      }
    return couple(k, r);
  }

  void write_scores(std::vector<double>& s, double* out) const {
    if (s.size() >= 2 || !second_ || post_ == PostTransform::Probit) {
      apply_post_transform(post_, s.data(), s.size());
      std::copy(s.begin(), s.end(), out);
      return;
    }
    // One decision value of a two-class model: both classes' scores.
    out[0] = -s[0];
    out[1] = s[0];
    apply_post_transform(post_, out, 2);
  }

  SvmKernelFn fn_;
  ClassLabels labels_;
  std::vector<double> coef_, rho_, prob_a_, prob_b_, sv_;
  std::vector<int64_t> per_class_, starts_;
  PostTransform post_ = PostTransform::None;
  int64_t classes_ = 1, vectors_ = 0, features_ = 0, pairs_ = 0, n_scores_ = 0, z_cols_ = 0;
  bool proba_ = false, all_positive_ = false, second_ = false;
};

class SvmRegressorKernel : public Kernel {
 public:
  explicit SvmRegressorKernel(const BuildContext& ctx) : fn_(ctx.attrs, "SVMRegressor") {
    const std::string op = "SVMRegressor";
    coef_ = read_floats(ctx.attrs, "coefficients", op);
    rho_ = read_floats(ctx.attrs, "rho", op);
    sv_ = read_floats(ctx.attrs, "support_vectors", op);
    supports_ = ctx.attrs.get_int("n_supports", 0);
    one_class_ = ctx.attrs.get_int("one_class", 0) != 0;
    post_ = read_post_transform(ctx.attrs, op);
    if (coef_.empty() || rho_.empty()) throw Error(Stage::Build, op + ": coefficients and rho are required");
    if (supports_ < 0) throw Error(Stage::Build, op + ": n_supports must not be negative");
    if (supports_ > 0) {
      if (static_cast<int64_t>(coef_.size()) < supports_ || sv_.empty() || sv_.size() % static_cast<size_t>(supports_))
        throw Error(Stage::Build, op + ": support_vectors and coefficients do not hold n_supports vectors");
      features_ = static_cast<int64_t>(sv_.size()) / supports_;
    } else {
      features_ = static_cast<int64_t>(coef_.size());
    }
    check_numeric_x(ctx, op);
  }

  void infer(InferContext& ctx) override { infer_regressor(ctx, DType::Float, 1); }

  void run(RunContext& ctx) const override {
    const std::string op = "SVMRegressor";
    FeatureRows x = read_rows(ctx.input(0), op);
    if (x.cols != features_)
      throw Error(Stage::Run, op + ": X has " + std::to_string(x.cols) + " columns, the model " + std::to_string(features_));
    std::vector<double> y(static_cast<size_t>(x.rows));
    for (int64_t r = 0; r < x.rows; ++r) {
      double s = 0;
      if (supports_ > 0) {
        for (int64_t j = 0; j < supports_; ++j)
          s += coef_[static_cast<size_t>(j)] * fn_(x.row(r), sv_.data() + j * features_, features_, fn_.type);
      } else {
        s = fn_(x.row(r), coef_.data(), features_, SvmKernelType::Linear);
      }
      s += rho_[0];
      if (one_class_) s = s > 0 ? 1 : -1;
      apply_post_transform(post_, &s, 1);
      y[static_cast<size_t>(r)] = s;
    }
    doubles_to_tensor(y, output_for(ctx, 0, DType::Float, {x.rows, 1}));
  }

 private:
  SvmKernelFn fn_;
  std::vector<double> coef_, rho_, sv_;
  int64_t supports_ = 0, features_ = 0;
  bool one_class_ = false;
  PostTransform post_ = PostTransform::None;
};

ONNXI_REGISTER_KERNEL(kDomain, "SVMClassifier", 1, 1, kRef, [](const BuildContext& c) {
  return std::make_unique<SvmClassifierKernel>(c);
});
ONNXI_REGISTER_KERNEL(kDomain, "SVMRegressor", 1, 1, kRef, [](const BuildContext& c) {
  return std::make_unique<SvmRegressorKernel>(c);
});

}  // namespace
}  // namespace onnxi::ml
