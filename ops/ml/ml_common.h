// Pieces shared by the ai.onnx.ml kernels: the score post transforms, feature rows read as
// double, attributes given either as a list or as a tensor (the *_as_tensor forms), and
// class labels (int64 or string).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "ops/common/dtype_dispatch.h"
#include "runtime/kernel.h"

namespace onnxi::ml {

inline constexpr const char* kDomain = "ai.onnx.ml";

// post_transform of the classifiers and regressors.
enum class PostTransform { None, Softmax, Logistic, SoftmaxZero, Probit };
PostTransform read_post_transform(const AttributeReader& attrs, const std::string& op);

// The transforms as ONNX's reference defines them (PROBIT uses the same closed-form
// inverse-erf approximation as the reference and ONNX Runtime).
double logistic(double x);
double probit(double p);
void softmax(double* v, size_t n);
void softmax_zero(double* v, size_t n);
// Applies `pt` to one row of scores in place.
void apply_post_transform(PostTransform pt, double* v, size_t n);

// The numeric input of most ml ops, [N, C] (or [C], one row), as doubles.
struct FeatureRows {
  int64_t rows = 0, cols = 0;
  std::vector<double> values;  // rows * cols
  const double* row(int64_t r) const { return values.data() + r * cols; }
};
inline constexpr DTypeSet kMlNumericInput =
    dtype_bit(DType::Float) | dtype_bit(DType::Double) | dtype_bit(DType::Int64) | dtype_bit(DType::Int32);
// Throws Error(Run) for a dtype outside `allowed` or a rank other than 1 or 2.
FeatureRows read_rows(const Tensor& x, const std::string& op, DTypeSet allowed = kMlNumericInput);
// The number of rows of an X of shape `s` ([N, C] or [C]), or -1 when not known.
inline int64_t rows_of(const Shape* s) { return s && !s->empty() ? (s->size() == 2 ? (*s)[0] : 1) : -1; }
// Throws Error(Build) when input 0 is known and not float, double, int64 or int32.
void check_numeric_x(const BuildContext& ctx, const std::string& op);
// A classifier's outputs: labels [N] of `labels`, scores [N, score_cols] float (dtypes
// only while N is not known).
void infer_classifier(InferContext& ctx, DType labels, int64_t score_cols);
// A regressor's output: [N, cols] of `dtype`.
void infer_regressor(InferContext& ctx, DType dtype, int64_t cols);
// Every element of a numeric tensor as double.
std::vector<double> tensor_to_doubles(const Tensor& t, const std::string& what);
// Fills `out` (float, double, float16 or bfloat16; allocated by the caller) from `v`.
void doubles_to_tensor(const std::vector<double>& v, Tensor& out);

// A list-of-floats attribute `name`, or its tensor form `name`_as_tensor (float or
// double) when `allow_tensor`; both set is an error. Empty when neither is set.
std::vector<double> floats_or_tensor(const AttributeReader& attrs, const std::string& name, bool allow_tensor,
                                     const std::string& op);

// classlabels_int64s/classlabels_strings (or the names given): exactly one may be set.
struct ClassLabels {
  bool strings = false;
  std::vector<int64_t> ints;
  std::vector<std::string> names;
  size_t size() const { return strings ? names.size() : ints.size(); }
  DType dtype() const { return strings ? DType::String : DType::Int64; }
};
ClassLabels read_class_labels(const AttributeReader& attrs, const std::string& ints_name,
                              const std::string& strings_name, const std::string& op);

// A [n] label tensor of `labels`' dtype; element i is labels[index[i]] (the index itself
// as int64 when no labels are given).
Tensor make_label_tensor(const ClassLabels& labels, const std::vector<int64_t>& index, const std::string& op);

// Throws Error(Build) unless every index is in [0, limit).
void check_indices(const std::vector<int64_t>& v, int64_t limit, const std::string& what, const std::string& op);

}  // namespace onnxi::ml
