#include "ops/ml/ml_common.h"

#include <algorithm>
#include <cmath>

namespace onnxi::ml {

PostTransform read_post_transform(const AttributeReader& attrs, const std::string& op) {
  std::string s = attrs.get_string("post_transform", "NONE");
  if (s == "NONE") return PostTransform::None;
  if (s == "SOFTMAX") return PostTransform::Softmax;
  if (s == "LOGISTIC") return PostTransform::Logistic;
  if (s == "SOFTMAX_ZERO") return PostTransform::SoftmaxZero;
  if (s == "PROBIT") return PostTransform::Probit;
  throw Error(Stage::Build, op + ": post_transform must be NONE, SOFTMAX, LOGISTIC, SOFTMAX_ZERO or PROBIT, got '" +
                                s + "'");
}

double logistic(double x) {
  double v = 1.0 / (1.0 + std::exp(-std::fabs(x)));
  return x < 0 ? 1.0 - v : v;
}

namespace {
// Winitzki's approximation of erf^-1 (a = 0.147), as the reference uses.
double erf_inv(double x) {
  double sgn = x < 0 ? -1.0 : 1.0;
  x = (1.0 - x) * (1.0 + x);
  if (x == 0) return 0;
  double lg = std::log(x);
  double v = 2.0 / (M_PI * 0.147) + 0.5 * lg;
  double v2 = lg / 0.147;
  double v3 = -v + std::sqrt(v * v - v2);
  return sgn * std::sqrt(v3);
}
}  // namespace

double probit(double p) { return 1.41421356 * erf_inv(p * 2 - 1); }

void softmax(double* v, size_t n) {
  if (n == 0) return;
  double mx = *std::max_element(v, v + n);
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += (v[i] = std::exp(v[i] - mx));
  for (size_t i = 0; i < n; ++i) v[i] /= sum;
}

// Softmax over the non-zero scores: a zero score stays (near) zero.
void softmax_zero(double* v, size_t n) {
  if (n == 0) return;
  double mx = *std::max_element(v, v + n);
  double exp_neg_max = std::exp(-mx);
  double sum = 0;
  for (size_t i = 0; i < n; ++i) {
    if (v[i] > 1e-7 || v[i] < -1e-7)
      v[i] = std::exp(v[i] - mx);
    else
      v[i] *= exp_neg_max;
    sum += v[i];
  }
  for (size_t i = 0; i < n; ++i) v[i] = sum == 0 ? 0.5 : v[i] / sum;
}

void apply_post_transform(PostTransform pt, double* v, size_t n) {
  switch (pt) {
    case PostTransform::None:
      return;
    case PostTransform::Softmax:
      softmax(v, n);
      return;
    case PostTransform::SoftmaxZero:
      softmax_zero(v, n);
      return;
    case PostTransform::Logistic:
      for (size_t i = 0; i < n; ++i) v[i] = logistic(v[i]);
      return;
    case PostTransform::Probit:
      for (size_t i = 0; i < n; ++i) v[i] = probit(v[i]);
      return;
  }
}

void check_numeric_x(const BuildContext& ctx, const std::string& op) {
  if (ctx.has_input(0) && !dtype_in(ctx.input_dtype(0), kMlNumericInput))
    throw Error(Stage::Build, op + ": X must be float, double, int64 or int32");
}

void infer_classifier(InferContext& ctx, DType labels, int64_t score_cols) {
  int64_t n = rows_of(ctx.input_shape(0));
  if (n < 0 || score_cols < 0) {
    ctx.set_output_dtype(0, labels);
    if (ctx.num_outputs() > 1) ctx.set_output_dtype(1, DType::Float);
    return;
  }
  ctx.set_output(0, labels, {n});
  if (ctx.num_outputs() > 1) ctx.set_output(1, DType::Float, {n, score_cols});
}

void infer_regressor(InferContext& ctx, DType dtype, int64_t cols) {
  int64_t n = rows_of(ctx.input_shape(0));
  if (n < 0)
    ctx.set_output_dtype(0, dtype);
  else
    ctx.set_output(0, dtype, {n, cols});
}

std::vector<double> tensor_to_doubles(const Tensor& t, const std::string& what) {
  std::vector<double> out(static_cast<size_t>(t.numel()));
  bool ok = visit_dtype<kNumericDTypes | kBoolDTypes>(t.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = t.data<T>();
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<double>(load_elem(p[i]));
  });
  if (!ok) throw Error(Stage::Run, what + " must be numeric, got " + std::string(dtype_name(t.dtype())));
  return out;
}

void doubles_to_tensor(const std::vector<double>& v, Tensor& out) {
  bool ok = visit_dtype<kFloatDTypes>(out.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = out.data<T>();
    for (size_t i = 0; i < v.size(); ++i) p[i] = store_elem<T>(static_cast<compute_t<T>>(v[i]));
  });
  if (!ok) throw Error(Stage::Run, "ml output of dtype " + std::string(dtype_name(out.dtype())) + " (runtime bug)");
}

FeatureRows read_rows(const Tensor& x, const std::string& op, DTypeSet allowed) {
  if (!x.is_tensor() || !dtype_in(x.dtype(), allowed))
    throw Error(Stage::Run, op + ": input X must be a tensor of " + dtype_set_names(allowed) + ", got " +
                                std::string(dtype_name(x.dtype())));
  if (x.rank() != 1 && x.rank() != 2)
    throw Error(Stage::Run, op + ": input X must be [N, C] or [C], got " + shape_to_string(x.shape()));
  FeatureRows r;
  r.rows = x.rank() == 2 ? x.dim(0) : 1;
  r.cols = x.rank() == 2 ? x.dim(1) : x.dim(0);
  r.values = tensor_to_doubles(x, op + ": X");
  return r;
}

std::vector<double> floats_or_tensor(const AttributeReader& attrs, const std::string& name, bool allow_tensor,
                                     const std::string& op) {
  std::string tname = name + "_as_tensor";
  bool has_t = allow_tensor && attrs.has(tname);
  if (has_t && attrs.has(name)) throw Error(Stage::Build, op + ": only one of " + name + " and " + tname + " may be set");
  if (!has_t) {
    std::vector<float> f = attrs.get_floats(name);
    return std::vector<double>(f.begin(), f.end());
  }
  const Tensor* t = attrs.get_tensor(tname);
  if (!t || (t->dtype() != DType::Float && t->dtype() != DType::Double))
    throw Error(Stage::Build, op + ": " + tname + " must be a float or double tensor");
  return tensor_to_doubles(*t, op + ": " + tname);
}

ClassLabels read_class_labels(const AttributeReader& attrs, const std::string& ints_name,
                              const std::string& strings_name, const std::string& op) {
  ClassLabels l;
  l.ints = attrs.get_ints(ints_name);
  l.names = attrs.get_strings(strings_name);
  if (!l.ints.empty() && !l.names.empty())
    throw Error(Stage::Build, op + ": only one of " + ints_name + " and " + strings_name + " may be set");
  l.strings = !l.names.empty();
  return l;
}

Tensor make_label_tensor(const ClassLabels& labels, const std::vector<int64_t>& index, const std::string& op) {
  Shape shape = {static_cast<int64_t>(index.size())};
  if (labels.strings) {
    std::vector<std::string> out(index.size());
    for (size_t i = 0; i < index.size(); ++i) {
      if (index[i] < 0 || static_cast<size_t>(index[i]) >= labels.names.size())
        throw Error(Stage::Run, op + ": class index " + std::to_string(index[i]) + " has no label");
      out[i] = labels.names[static_cast<size_t>(index[i])];
    }
    return Tensor::from_vector(out, shape);
  }
  std::vector<int64_t> out(index.size());
  for (size_t i = 0; i < index.size(); ++i) {
    if (labels.ints.empty()) {
      out[i] = index[i];
      continue;
    }
    if (index[i] < 0 || static_cast<size_t>(index[i]) >= labels.ints.size())
      throw Error(Stage::Run, op + ": class index " + std::to_string(index[i]) + " has no label");
    out[i] = labels.ints[static_cast<size_t>(index[i])];
  }
  return Tensor::from_vector(out, shape);
}

void check_indices(const std::vector<int64_t>& v, int64_t limit, const std::string& what, const std::string& op) {
  for (int64_t i : v)
    if (i < 0 || i >= limit)
      throw Error(Stage::Build, op + ": " + what + " " + std::to_string(i) + " out of range [0, " +
                                    std::to_string(limit) + ")");
}

}  // namespace onnxi::ml
