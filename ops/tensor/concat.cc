// Concat along one axis (negative axes from opset 11); inputs of any dtype, including
// strings, with equal dims except along the axis. Empty inputs are allowed.
#include <cstring>

#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class ConcatKernel : public Kernel {
 public:
  explicit ConcatKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.empty()) throw Error(Stage::Build, "Concat expects at least 1 input");
    dtype_ = ctx.input_dtype(0);
    for (size_t i = 0; i < ctx.node.inputs.size(); ++i) {
      if (!ctx.has_input(i)) throw Error(Stage::Build, "Concat input " + std::to_string(i) + " is missing");
      if (ctx.input_dtype(i) != dtype_)
        throw Error(Stage::Build, "Concat input " + std::to_string(i) + " has dtype " +
                                      std::string(dtype_name(ctx.input_dtype(i))) + ", expected " +
                                      std::string(dtype_name(dtype_)));
    }
    if (ctx.opset < 4)
      axis_ = ctx.attrs.get_int("axis", 1);
    else
      axis_ = ctx.attrs.get_int("axis");
    if (axis_ < 0 && ctx.opset < 11) throw Error(Stage::Build, "Concat axis must be >= 0 before opset 11");
  }

  void infer(InferContext& ctx) override {
    std::vector<const Shape*> shapes;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      const Shape* s = ctx.input_shape(i);
      if (!s) {
        ctx.set_output_dtype(0, dtype_);
        return;
      }
      shapes.push_back(s);
    }
    ctx.set_output(0, dtype_, out_shape(shapes, nullptr, Stage::Plan));
  }

  void run(RunContext& ctx) const override {
    std::vector<const Shape*> shapes;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) shapes.push_back(&ctx.input(i).shape());
    int64_t axis = 0;
    Shape out = out_shape(shapes, &axis, Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, out);
    if (y.numel() == 0) return;
    const int64_t outer = dims_product(out, 0, static_cast<size_t>(axis));
    const int64_t inner = dims_product(out, static_cast<size_t>(axis) + 1, out.size());
    const int64_t out_row = out[axis] * inner;
    int64_t offset = 0;  // elements into each output row
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      const Tensor& x = ctx.input(i);
      const int64_t row = x.shape()[axis] * inner;
      if (row == 0) continue;
      if (dtype_ == DType::String) {
        const std::string* src = x.strings().data();
        std::string* dst = y.strings().data();
        for (int64_t o = 0; o < outer; ++o)
          std::copy(src + o * row, src + (o + 1) * row, dst + o * out_row + offset);
      } else {
        const size_t es = dtype_size(dtype_);
        const uint8_t* src = static_cast<const uint8_t*>(x.raw_data());
        uint8_t* dst = static_cast<uint8_t*>(y.raw_data());
        for (int64_t o = 0; o < outer; ++o)
          std::memcpy(dst + (o * out_row + offset) * es, src + o * row * es, static_cast<size_t>(row) * es);
      }
      offset += row;
    }
  }

 private:
  Shape out_shape(const std::vector<const Shape*>& shapes, int64_t* axis_out, Stage stage) const {
    const Shape& first = *shapes[0];
    const int64_t r = static_cast<int64_t>(first.size());
    if (r == 0) throw Error(stage, "Concat inputs must have rank >= 1");
    int64_t axis = axis_ < 0 ? axis_ + r : axis_;
    if (axis < 0 || axis >= r)
      throw Error(stage,
                  "Concat axis " + std::to_string(axis_) + " is out of range for rank " + std::to_string(r));
    Shape out = first;
    for (size_t i = 1; i < shapes.size(); ++i) {
      const Shape& s = *shapes[i];
      bool ok = s.size() == first.size();
      for (size_t d = 0; ok && d < s.size(); ++d)
        if (static_cast<int64_t>(d) != axis && s[d] != first[d]) ok = false;
      if (!ok)
        throw Error(stage, "Concat input " + std::to_string(i) + " " + shape_to_string(s) +
                               " does not match " + shape_to_string(first) + " outside axis " +
                               std::to_string(axis));
      out[axis] += s[axis];
    }
    if (axis_out) *axis_out = axis;
    return out;
  }

  DType dtype_ = DType::Undefined;
  int64_t axis_ = 0;
};

ONNXI_REGISTER_KERNEL("", "Concat", 1, 13, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new ConcatKernel(ctx)); });

}  // namespace
}  // namespace onnxi
