// Row-wise preprocessing of ai.onnx.ml (all version 1): Scaler, Normalizer, Binarizer,
// Imputer, ArrayFeatureExtractor, FeatureVectorizer.
#include <cmath>
#include <cstring>

#include "ops/common/kernel_util.h"
#include "ops/ml/ml_common.h"

namespace onnxi::ml {
namespace {

// Base of the ops whose output has X's shape: checks X's dtype, sets Y's dtype and shape.
class SameShapeKernel : public Kernel {
 public:
  SameShapeKernel(const BuildContext& ctx, std::string op, DType out) : op_(std::move(op)), out_(out) {
    if (ctx.has_input(0) && !dtype_in(ctx.input_dtype(0), kMlNumericInput))
      throw Error(Stage::Build, op_ + ": X must be float, double, int64 or int32");
  }
  void infer(InferContext& ctx) override {
    DType t = out_ == DType::Undefined ? ctx.input_dtype(0) : out_;
    if (const Shape* s = ctx.input_shape(0))
      ctx.set_output(0, t, *s);
    else
      ctx.set_output_dtype(0, t);
  }

 protected:
  // X as rows of doubles (a rank other than 1 or 2 is an error) and Y of its shape.
  FeatureRows rows(RunContext& ctx, Tensor*& y) const {
    FeatureRows x = read_rows(ctx.input(0), op_);
    DType t = out_ == DType::Undefined ? ctx.input(0).dtype() : out_;
    y = &output_for(ctx, 0, t, ctx.input(0).shape());
    return x;
  }
  // Writes v into Y (float or X's numeric type).
  static void store(const std::vector<double>& v, Tensor& y) {
    if (dtype_in(y.dtype(), kFloatDTypes)) return doubles_to_tensor(v, y);
    visit_dtype<kIntDTypes>(y.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      for (size_t i = 0; i < v.size(); ++i) y.data<T>()[i] = static_cast<T>(v[i]);
    });
  }
  std::string op_;
  DType out_;
};

// A per-column parameter list of length C or 1.
double column_param(const std::vector<double>& p, int64_t j) {
  return p.size() == 1 ? p[0] : p[static_cast<size_t>(j)];
}
void check_columns(const std::vector<double>& p, int64_t cols, const std::string& what, const std::string& op) {
  if (p.size() != 1 && static_cast<int64_t>(p.size()) != cols)
    throw Error(Stage::Run, op + ": " + what + " has " + std::to_string(p.size()) + " values for " +
                                std::to_string(cols) + " columns");
}

class ScalerKernel : public SameShapeKernel {
 public:
  explicit ScalerKernel(const BuildContext& ctx) : SameShapeKernel(ctx, "Scaler", DType::Float) {
    offset_ = floats_or_tensor(ctx.attrs, "offset", false, op_);
    scale_ = floats_or_tensor(ctx.attrs, "scale", false, op_);
    if (offset_.empty()) offset_ = {0.0};
    if (scale_.empty()) scale_ = {1.0};
  }
  void run(RunContext& ctx) const override {
    Tensor* y = nullptr;
    FeatureRows x = rows(ctx, y);
    check_columns(offset_, x.cols, "offset", op_);
    check_columns(scale_, x.cols, "scale", op_);
    for (int64_t r = 0; r < x.rows; ++r)
      for (int64_t j = 0; j < x.cols; ++j) {
        double& v = x.values[static_cast<size_t>(r * x.cols + j)];
        v = (v - column_param(offset_, j)) * column_param(scale_, j);
      }
    store(x.values, *y);
  }

 private:
  std::vector<double> offset_, scale_;
};

class NormalizerKernel : public SameShapeKernel {
 public:
  enum class Norm { Max, L1, L2 };
  explicit NormalizerKernel(const BuildContext& ctx) : SameShapeKernel(ctx, "Normalizer", DType::Float) {
    std::string n = ctx.attrs.get_string("norm", "MAX");
    if (n == "MAX") norm_ = Norm::Max;
    else if (n == "L1") norm_ = Norm::L1;
    else if (n == "L2") norm_ = Norm::L2;
    else throw Error(Stage::Build, op_ + ": norm must be MAX, L1 or L2, got '" + n + "'");
  }
  void run(RunContext& ctx) const override {
    Tensor* y = nullptr;
    FeatureRows x = rows(ctx, y);
    for (int64_t r = 0; r < x.rows; ++r) {
      double* v = x.values.data() + r * x.cols;
      double d = 0;
      for (int64_t j = 0; j < x.cols; ++j) {
        if (norm_ == Norm::Max) d = std::max(d, std::fabs(v[j]));
        else if (norm_ == Norm::L1) d += std::fabs(v[j]);
        else d += v[j] * v[j];
      }
      if (norm_ == Norm::L2) d = std::sqrt(d);
      d = std::max(d, 1e-30);
      for (int64_t j = 0; j < x.cols; ++j) v[j] /= d;
    }
    store(x.values, *y);
  }

 private:
  Norm norm_ = Norm::Max;
};

class BinarizerKernel : public SameShapeKernel {
 public:
  explicit BinarizerKernel(const BuildContext& ctx)
      : SameShapeKernel(ctx, "Binarizer", DType::Undefined), threshold_(ctx.attrs.get_float("threshold", 0.0f)) {}
  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (!dtype_in(x.dtype(), kMlNumericInput)) throw Error(Stage::Run, op_ + ": X must be float, double, int64 or int32");
    std::vector<double> v = tensor_to_doubles(x, op_ + ": X");
    for (double& e : v) e = e > threshold_ ? 1.0 : 0.0;
    store(v, output_for(ctx, 0, x.dtype(), x.shape()));
  }

 private:
  double threshold_;
};

class ImputerKernel : public SameShapeKernel {
 public:
  explicit ImputerKernel(const BuildContext& ctx) : SameShapeKernel(ctx, "Imputer", DType::Undefined) {
    auto f = ctx.attrs.get_floats("imputed_value_floats");
    auto i = ctx.attrs.get_ints("imputed_value_int64s");
    if (f.empty() == i.empty())
      throw Error(Stage::Build, op_ + ": exactly one of imputed_value_floats and imputed_value_int64s must be set");
    floats_ = !f.empty();
    if (floats_) {
      values_.assign(f.begin(), f.end());
      replaced_ = ctx.attrs.get_float("replaced_value_float", 0.0f);
    } else {
      values_.assign(i.begin(), i.end());
      replaced_ = static_cast<double>(ctx.attrs.get_int("replaced_value_int64", 0));
    }
    DType t = ctx.input_dtype(0);
    if (ctx.has_input(0) && floats_ != dtype_in(t, kFloatDTypes))
      throw Error(Stage::Build, op_ + ": " + (floats_ ? "imputed_value_floats needs a float or double X"
                                                      : "imputed_value_int64s needs an int64 or int32 X"));
  }
  void run(RunContext& ctx) const override {
    Tensor* y = nullptr;
    FeatureRows x = rows(ctx, y);
    check_columns(values_, x.cols, "the imputed values", op_);
    bool nan = std::isnan(replaced_);
    for (int64_t r = 0; r < x.rows; ++r)
      for (int64_t j = 0; j < x.cols; ++j) {
        double& v = x.values[static_cast<size_t>(r * x.cols + j)];
        if (nan ? std::isnan(v) : v == replaced_) v = column_param(values_, j);
      }
    store(x.values, *y);
  }

 private:
  bool floats_ = true;
  std::vector<double> values_;
  double replaced_ = 0;
};

// ArrayFeatureExtractor: Z = X[..., Y] with Y's indices flattened; a 1-D X gives [1, k].
class ArrayFeatureExtractorKernel : public Kernel {
 public:
  explicit ArrayFeatureExtractorKernel(const BuildContext& ctx) {
    if (ctx.has_input(0) && !dtype_in(ctx.input_dtype(0), kMlNumericInput | dtype_bit(DType::String)))
      throw Error(Stage::Build, "ArrayFeatureExtractor: X must be float, double, int64, int32 or string");
    if (ctx.has_input(1) && ctx.input_dtype(1) != DType::Int64)
      throw Error(Stage::Build, "ArrayFeatureExtractor: Y must be int64");
  }
  void infer(InferContext& ctx) override {
    const Shape* xs = ctx.input_shape(0);
    const Shape* ys = ctx.input_shape(1);
    if (xs && ys && !xs->empty()) {
      ctx.set_output(0, ctx.input_dtype(0), out_shape(*xs, shape_numel(*ys)));
    } else {
      ctx.set_output_dtype(0, ctx.input_dtype(0));
    }
  }
  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& idx = ctx.input(1);
    if (x.rank() == 0) throw Error(Stage::Run, "ArrayFeatureExtractor: X must have rank >= 1");
    int64_t c = x.shape().back();
    const int64_t* ip = idx.data<int64_t>();
    int64_t k = idx.numel();
    for (int64_t i = 0; i < k; ++i)
      if (ip[i] < 0 || ip[i] >= c)
        throw Error(Stage::Run, "ArrayFeatureExtractor: index " + std::to_string(ip[i]) + " out of range [0, " +
                                    std::to_string(c) + ")");
    Tensor& z = output_for(ctx, 0, x.dtype(), out_shape(x.shape(), k));
    int64_t outer = c == 0 ? 0 : x.numel() / c;
    bool str = x.dtype() == DType::String;
    size_t es = str ? 0 : dtype_size(x.dtype());
    for (int64_t r = 0; r < outer; ++r)
      for (int64_t i = 0; i < k; ++i) {
        int64_t from = r * c + ip[i], to = r * k + i;
        if (str)
          z.strings()[static_cast<size_t>(to)] = x.strings()[static_cast<size_t>(from)];
        else
          std::memcpy(static_cast<char*>(z.raw_data()) + static_cast<size_t>(to) * es,
                      static_cast<const char*>(x.raw_data()) + static_cast<size_t>(from) * es, es);
      }
  }

 private:
  static Shape out_shape(const Shape& x, int64_t k) {
    Shape s = x.size() == 1 ? Shape{1} : Shape(x.begin(), x.end() - 1);
    s.push_back(k);
    return s;
  }
};

// FeatureVectorizer: inputs as [N, C_i] (a 1-D input is one column), each cut or
// zero-padded to inputdimensions[i] columns, concatenated into a float [N, sum].
class FeatureVectorizerKernel : public Kernel {
 public:
  explicit FeatureVectorizerKernel(const BuildContext& ctx) : dims_(ctx.attrs.get_ints("inputdimensions")) {
    if (dims_.size() != ctx.node.inputs.size())
      throw Error(Stage::Build, "FeatureVectorizer: inputdimensions must have one entry per input");
    for (int64_t d : dims_) {
      if (d < 0) throw Error(Stage::Build, "FeatureVectorizer: inputdimensions must not be negative");
      total_ += d;
    }
    for (size_t i = 0; i < ctx.num_inputs(); ++i)
      if (ctx.has_input(i) && !dtype_in(ctx.input_dtype(i), kMlNumericInput))
        throw Error(Stage::Build, "FeatureVectorizer: inputs must be float, double, int64 or int32");
  }
  void infer(InferContext& ctx) override {
    const Shape* s = ctx.input_shape(0);
    if (s && (s->size() == 1 || s->size() == 2))
      ctx.set_output(0, DType::Float, {(*s)[0], total_});
    else
      ctx.set_output_dtype(0, DType::Float);
  }
  void run(RunContext& ctx) const override {
    int64_t n = -1;
    std::vector<FeatureRows> in;
    for (size_t i = 0; i < dims_.size(); ++i) {
      const Tensor& t = ctx.input(i);
      FeatureRows r = read_rows(t, "FeatureVectorizer");
      if (t.rank() == 1) std::swap(r.rows, r.cols);  // a 1-D input is one column
      if (n >= 0 && r.rows != n) throw Error(Stage::Run, "FeatureVectorizer: inputs have different row counts");
      n = r.rows;
      in.push_back(std::move(r));
    }
    std::vector<double> out(static_cast<size_t>(n * total_), 0.0);
    int64_t off = 0;
    for (size_t i = 0; i < in.size(); ++i) {
      int64_t take = std::min(dims_[i], in[i].cols);
      for (int64_t r = 0; r < n; ++r)
        for (int64_t j = 0; j < take; ++j) out[static_cast<size_t>(r * total_ + off + j)] = in[i].row(r)[j];
      off += dims_[i];
    }
    doubles_to_tensor(out, output_for(ctx, 0, DType::Float, {n, total_}));
  }

 private:
  std::vector<int64_t> dims_;
  int64_t total_ = 0;
};

template <class K>
std::unique_ptr<Kernel> make(const BuildContext& c) {
  return std::make_unique<K>(c);
}

ONNXI_REGISTER_KERNEL(kDomain, "Scaler", 1, 1, kRef, make<ScalerKernel>);
ONNXI_REGISTER_KERNEL(kDomain, "Normalizer", 1, 1, kRef, make<NormalizerKernel>);
ONNXI_REGISTER_KERNEL(kDomain, "Binarizer", 1, 1, kRef, make<BinarizerKernel>);
ONNXI_REGISTER_KERNEL(kDomain, "Imputer", 1, 1, kRef, make<ImputerKernel>);
ONNXI_REGISTER_KERNEL(kDomain, "ArrayFeatureExtractor", 1, 1, kRef, make<ArrayFeatureExtractorKernel>);
ONNXI_REGISTER_KERNEL(kDomain, "FeatureVectorizer", 1, 1, kRef, make<FeatureVectorizerKernel>);

}  // namespace
}  // namespace onnxi::ml
