// Key -> value lookups of ai.onnx.ml: LabelEncoder (1: classes_strings; 2: keys_*/values_*
// lists; 4: also keys_tensor/values_tensor/default_tensor and more types) and
// CategoryMapper (1); OneHotEncoder (1).
#include <cmath>
#include <map>
#include <unordered_map>

#include "ops/common/kernel_util.h"
#include "ops/ml/ml_common.h"

namespace onnxi::ml {
namespace {

constexpr DTypeSet kIntKeys = dtype_bit(DType::Int64) | dtype_bit(DType::Int32) | dtype_bit(DType::Int16);
constexpr DTypeSet kRealKeys = dtype_bit(DType::Float) | dtype_bit(DType::Double);

// Keys (a 1-D tensor of strings, integers or floats) to their position. NaN keys match NaN.
class KeyIndex {
 public:
  explicit KeyIndex(const Tensor& keys) : dtype_(keys.dtype()) {
    for (int64_t i = 0; i < keys.numel(); ++i) add(keys, i, static_cast<size_t>(i));
  }
  DType dtype() const { return dtype_; }
  // Position of element i of x (same dtype as the keys), or -1.
  int64_t find(const Tensor& x, int64_t i) const {
    if (dtype_ == DType::String) {
      auto it = strs_.find(x.strings()[static_cast<size_t>(i)]);
      return it == strs_.end() ? -1 : static_cast<int64_t>(it->second);
    }
    if (dtype_in(dtype_, kIntKeys)) {
      auto it = ints_.find(int_at(x, i));
      return it == ints_.end() ? -1 : static_cast<int64_t>(it->second);
    }
    double v = real_at(x, i);
    if (std::isnan(v)) return nan_;
    auto it = reals_.find(v);
    return it == reals_.end() ? -1 : static_cast<int64_t>(it->second);
  }

 private:
  static int64_t int_at(const Tensor& t, int64_t i) {
    int64_t v = 0;
    visit_dtype<kIntKeys>(t.dtype(), [&](auto tag) { v = t.data<typename decltype(tag)::type>()[i]; });
    return v;
  }
  static double real_at(const Tensor& t, int64_t i) {
    return t.dtype() == DType::Float ? t.data<float>()[i] : t.data<double>()[i];
  }
  // The first occurrence of a key wins.
  void add(const Tensor& k, int64_t i, size_t pos) {
    if (dtype_ == DType::String) {
      strs_.emplace(k.strings()[static_cast<size_t>(i)], pos);
    } else if (dtype_in(dtype_, kIntKeys)) {
      ints_.emplace(int_at(k, i), pos);
    } else if (dtype_in(dtype_, kRealKeys)) {
      double v = real_at(k, i);
      if (std::isnan(v)) {
        if (nan_ < 0) nan_ = static_cast<int64_t>(pos);
      } else {
        reals_.emplace(v, pos);
      }
    } else {
      throw Error(Stage::Build, std::string("keys of dtype ") + std::string(dtype_name(dtype_)) + " are not supported");
    }
  }
  DType dtype_;
  std::unordered_map<std::string, size_t> strs_;
  std::map<int64_t, size_t> ints_;
  std::map<double, size_t> reals_;
  int64_t nan_ = -1;
};

// Copies element `from` of `src` to element `to` of `dst` (same dtype).
void copy_element(const Tensor& src, int64_t from, Tensor& dst, int64_t to) {
  if (src.dtype() == DType::String) {
    dst.strings()[static_cast<size_t>(to)] = src.strings()[static_cast<size_t>(from)];
    return;
  }
  visit_dtype<kFixedSizeDTypes>(src.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    dst.data<T>()[to] = src.data<T>()[from];
  });
}

// Y = values[position of X's element in keys], or the default.
class LookupKernel : public Kernel {
 public:
  LookupKernel(std::string op, Tensor keys, Tensor values, Tensor def)
      : op_(std::move(op)), index_(keys), values_(std::move(values)), default_(std::move(def)) {
    if (keys.numel() != values_.numel())
      throw Error(Stage::Build, op_ + ": " + std::to_string(keys.numel()) + " keys but " +
                                    std::to_string(values_.numel()) + " values");
    if (default_.numel() != 1 || default_.dtype() != values_.dtype())
      throw Error(Stage::Build, op_ + ": the default must be one value of the values' type");
  }

  void infer(InferContext& ctx) override {
    if (ctx.has_input(0) && ctx.input_dtype(0) != index_.dtype())
      throw Error(Stage::Plan, op_ + ": X is " + std::string(dtype_name(ctx.input_dtype(0))) + " but the keys are " +
                                   std::string(dtype_name(index_.dtype())));
    if (const Shape* s = ctx.input_shape(0))
      ctx.set_output(0, values_.dtype(), *s);
    else
      ctx.set_output_dtype(0, values_.dtype());
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (!x.is_tensor() || x.dtype() != index_.dtype())
      throw Error(Stage::Run, op_ + ": X must be a tensor of " + std::string(dtype_name(index_.dtype())));
    Tensor& y = output_for(ctx, 0, values_.dtype(), x.shape());
    for (int64_t i = 0; i < x.numel(); ++i) {
      int64_t k = index_.find(x, i);
      if (k < 0)
        copy_element(default_, 0, y, i);
      else
        copy_element(values_, k, y, i);
    }
  }

 private:
  std::string op_;
  KeyIndex index_;
  Tensor values_, default_;
};

Tensor iota(size_t n) {
  std::vector<int64_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<int64_t>(i);
  return Tensor::from_vector(v, {static_cast<int64_t>(n)});
}

template <class T>
Tensor vec(const std::vector<T>& v) {
  return Tensor::from_vector(v, {static_cast<int64_t>(v.size())});
}

// The one of `name`_floats/_int64s/_strings (or, from version 4, `name`_tensor) that is set.
Tensor list_attr(const AttributeReader& a, const std::string& name, bool tensors, const std::string& op) {
  std::vector<Tensor> set;
  if (a.has(name + "_floats")) set.push_back(vec(a.get_floats(name + "_floats")));
  if (a.has(name + "_int64s")) set.push_back(vec(a.get_ints(name + "_int64s")));
  if (a.has(name + "_strings")) set.push_back(vec(a.get_strings(name + "_strings")));
  if (tensors && a.has(name + "_tensor")) set.push_back(a.get_tensor(name + "_tensor")->reshaped({a.get_tensor(name + "_tensor")->numel()}));
  if (set.size() != 1)
    throw Error(Stage::Build, op + ": exactly one of the " + name + "_* attributes must be set");
  return set[0];
}

std::unique_ptr<Kernel> make_label_encoder(const BuildContext& ctx, int version) {
  const std::string op = "LabelEncoder";
  const AttributeReader& a = ctx.attrs;
  std::string def_s = a.get_string("default_string", "_Unused");
  int64_t def_i = a.get_int("default_int64", -1);
  if (version == 1) {
    auto classes = a.get_strings("classes_strings");
    if (ctx.input_dtype(0) == DType::String)
      return std::make_unique<LookupKernel>(op, vec(classes), iota(classes.size()), Tensor::scalar(def_i));
    if (ctx.input_dtype(0) == DType::Int64)
      return std::make_unique<LookupKernel>(op, iota(classes.size()), vec(classes), Tensor::from_vector<std::string>({def_s}, {}));
    throw Error(Stage::Build, op + ": X must be string or int64");
  }
  Tensor keys = list_attr(a, "keys", version >= 4, op);
  Tensor values = list_attr(a, "values", version >= 4, op);
  Tensor def;
  if (const Tensor* t = version >= 4 ? a.get_tensor("default_tensor") : nullptr) {
    def = *t;
  } else if (values.dtype() == DType::String) {
    def = Tensor::from_vector<std::string>({def_s}, {});
  } else if (values.dtype() == DType::Float && a.has("values_floats")) {
    def = Tensor::scalar(a.get_float("default_float", -0.0f));
  } else if (values.dtype() == DType::Int64 && a.has("values_int64s")) {
    def = Tensor::scalar(def_i);
  } else {
    // values_tensor without default_tensor: -1 for integers, -0.0 for floats.
    def = Tensor(values.dtype(), {});
    std::vector<double> d = {dtype_in(values.dtype(), kIntDTypes) ? -1.0 : -0.0};
    if (dtype_in(values.dtype(), kFloatDTypes))
      doubles_to_tensor(d, def);
    else
      visit_dtype<kIntDTypes>(values.dtype(), [&](auto tag) { def.data<typename decltype(tag)::type>()[0] = -1; });
  }
  return std::make_unique<LookupKernel>(op, keys, values, def);
}

std::unique_ptr<Kernel> make_category_mapper(const BuildContext& ctx) {
  const std::string op = "CategoryMapper";
  auto strs = ctx.attrs.get_strings("cats_strings");
  auto ints = ctx.attrs.get_ints("cats_int64s");
  if (strs.size() != ints.size()) throw Error(Stage::Build, op + ": cats_strings and cats_int64s must have the same length");
  if (ctx.input_dtype(0) == DType::String)
    return std::make_unique<LookupKernel>(op, vec(strs), vec(ints), Tensor::scalar(ctx.attrs.get_int("default_int64", -1)));
  if (ctx.input_dtype(0) == DType::Int64)
    return std::make_unique<LookupKernel>(
        op, vec(ints), vec(strs), Tensor::from_vector<std::string>({ctx.attrs.get_string("default_string", "_Unused")}, {}));
  throw Error(Stage::Build, op + ": X must be string or int64");
}

// OneHotEncoder: Y = X's shape + [categories], 1 where the element is the category.
class OneHotEncoderKernel : public Kernel {
 public:
  explicit OneHotEncoderKernel(const BuildContext& ctx) {
    const std::string op = "OneHotEncoder";
    auto ints = ctx.attrs.get_ints("cats_int64s");
    auto strs = ctx.attrs.get_strings("cats_strings");
    if (ints.empty() == strs.empty())
      throw Error(Stage::Build, op + ": exactly one of cats_int64s and cats_strings must be set");
    strings_ = !strs.empty();
    n_ = static_cast<int64_t>(strings_ ? strs.size() : ints.size());
    for (size_t i = 0; i < strs.size(); ++i) strs_.emplace(strs[i], static_cast<int64_t>(i));
    for (size_t i = 0; i < ints.size(); ++i) ints_.emplace(ints[i], static_cast<int64_t>(i));
    zeros_ = ctx.attrs.get_int("zeros", 1) != 0;
    DType t = ctx.input_dtype(0);
    if (ctx.has_input(0) && (strings_ != (t == DType::String) || !dtype_in(t, kInputs)))
      throw Error(Stage::Build, op + ": X must be " + (strings_ ? "string" : "int64, int32, float or double") +
                                    " to match the categories");
  }

  void infer(InferContext& ctx) override {
    if (const Shape* s = ctx.input_shape(0)) {
      Shape o = *s;
      o.push_back(n_);
      ctx.set_output(0, DType::Float, o);
    } else {
      ctx.set_output_dtype(0, DType::Float);
    }
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Shape o = x.shape();
    o.push_back(n_);
    Tensor& y = output_for(ctx, 0, DType::Float, o);
    float* out = y.data<float>();
    std::fill(out, out + y.numel(), 0.0f);
    std::vector<double> nums = strings_ ? std::vector<double>() : tensor_to_doubles(x, "OneHotEncoder: X");
    for (int64_t i = 0; i < x.numel(); ++i) {
      int64_t k = -1;
      if (strings_) {
        auto it = strs_.find(x.strings()[static_cast<size_t>(i)]);
        if (it != strs_.end()) k = it->second;
      } else {
        double v = nums[static_cast<size_t>(i)];
        auto it = v == std::trunc(v) && std::fabs(v) < 9.2e18 ? ints_.find(static_cast<int64_t>(v)) : ints_.end();
        if (it != ints_.end()) k = it->second;
      }
      if (k >= 0)
        out[i * n_ + k] = 1.0f;
      else if (!zeros_)
        throw Error(Stage::Run, "OneHotEncoder: element " + std::to_string(i) + " is no known category (zeros = 0)");
    }
  }

 private:
  static constexpr DTypeSet kInputs = kMlNumericInput | dtype_bit(DType::String);
  bool strings_ = false, zeros_ = true;
  int64_t n_ = 0;
  std::unordered_map<std::string, int64_t> strs_;
  std::map<int64_t, int64_t> ints_;
};

ONNXI_REGISTER_KERNEL(kDomain, "LabelEncoder", 1, 1, kRef, [](const BuildContext& c) { return make_label_encoder(c, 1); });
ONNXI_REGISTER_KERNEL(kDomain, "LabelEncoder", 2, 2, kRef, [](const BuildContext& c) { return make_label_encoder(c, 2); });
ONNXI_REGISTER_KERNEL(kDomain, "LabelEncoder", 4, 4, kRef, [](const BuildContext& c) { return make_label_encoder(c, 4); });
ONNXI_REGISTER_KERNEL(kDomain, "CategoryMapper", 1, 1, kRef, make_category_mapper);
ONNXI_REGISTER_KERNEL(kDomain, "OneHotEncoder", 1, 1, kRef, [](const BuildContext& c) {
  return std::make_unique<OneHotEncoderKernel>(c);
});

}  // namespace
}  // namespace onnxi::ml
