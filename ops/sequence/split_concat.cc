// SplitToSequence and ConcatFromSequence (opset 11+): between a tensor and a sequence of
// its pieces along one axis.
// - SplitToSequence(input, split?): no split gives pieces of size 1 (the axis dropped
//   when keepdims = 0); a scalar split gives pieces of that size (the last may be
//   smaller); a 1-D split gives the piece lengths, which must add up to the axis.
// - ConcatFromSequence(seq): concatenates along `axis`, or stacks along a new axis at
//   `axis` when new_axis = 1. The sequence must not be empty.
#include "ops/common/axis_copy.h"
#include "ops/common/kernel_util.h"
#include "ops/sequence/sequence_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class SplitToSequenceKernel : public Kernel {
 public:
  explicit SplitToSequenceKernel(const BuildContext& ctx) : dtype_(ctx.input_dtype(0)) {
    if (ctx.node.inputs.empty() || ctx.node.inputs.size() > 2 || !ctx.has_input(0))
      throw Error(Stage::Build, "SplitToSequence expects an input and an optional split");
    if (ctx.has_input(1) && ctx.input_dtype(1) != DType::Int64 && ctx.input_dtype(1) != DType::Int32)
      throw Error(Stage::Build, "SplitToSequence split must be int32 or int64");
    axis_ = ctx.attrs.get_int("axis", 0);
    keepdims_ = ctx.attrs.get_int("keepdims", 1) != 0;
  }
  void infer(InferContext& ctx) override { ctx.set_output_dtype(0, dtype_); }
  void run(RunContext& ctx) const override {
    const Tensor& x = tensor_input(ctx, 0, "SplitToSequence");
    if (x.rank() == 0) throw Error(Stage::Run, "SplitToSequence input must have rank >= 1");
    const int64_t axis = normalize_axis(axis_, static_cast<int64_t>(x.rank()));
    const int64_t dim = x.shape()[axis];
    std::vector<Tensor> pieces;
    if (!ctx.has_input(1)) {
      for (int64_t i = 0; i < dim; ++i)
        pieces.push_back(keepdims_ ? slice_along_axis(x, axis, i, 1) : take_along_axis(x, axis, i));
    } else {
      const Tensor& split = tensor_input(ctx, 1, "SplitToSequence");
      std::vector<int64_t> lengths = read_int_values(split, "SplitToSequence split");
      if (split.rank() == 0) {
        const int64_t size = lengths.at(0);
        if (size <= 0)
          throw Error(Stage::Run, "SplitToSequence split must be > 0, got " + std::to_string(size));
        lengths.clear();
        for (int64_t start = 0; start < dim; start += size) lengths.push_back(std::min(size, dim - start));
      } else {
        int64_t sum = 0;
        for (int64_t l : lengths) {
          if (l < 0)
            throw Error(Stage::Run, "SplitToSequence split has a negative length " + std::to_string(l));
          if (l > dim - sum)
            throw Error(Stage::Run, "SplitToSequence split lengths add up to more than the axis size " +
                                        std::to_string(dim));
          sum += l;
        }
        if (sum != dim)
          throw Error(Stage::Run, "SplitToSequence split lengths add up to " + std::to_string(sum) +
                                      ", the axis has size " + std::to_string(dim));
      }
      int64_t start = 0;
      for (int64_t l : lengths) {
        pieces.push_back(slice_along_axis(x, axis, start, l));
        start += l;
      }
    }
    ctx.set_output(0, Tensor::sequence(dtype_, std::move(pieces)));
  }

 private:
  DType dtype_;
  int64_t axis_ = 0;
  bool keepdims_ = true;
};

class ConcatFromSequenceKernel : public Kernel {
 public:
  explicit ConcatFromSequenceKernel(const BuildContext& ctx) : dtype_(ctx.input_dtype(0)) {
    if (ctx.node.inputs.size() != 1 || !ctx.has_input(0))
      throw Error(Stage::Build, "ConcatFromSequence expects 1 input (a sequence)");
    if (dtype_ == DType::Undefined)
      throw Error(Stage::Build, "ConcatFromSequence: the sequence's element type is unknown");
    axis_ = ctx.attrs.get_int("axis");
    new_axis_ = ctx.attrs.get_int("new_axis", 0);
    if (new_axis_ != 0 && new_axis_ != 1)
      throw Error(Stage::Build, "ConcatFromSequence new_axis must be 0 or 1");
  }
  void infer(InferContext& ctx) override { ctx.set_output_dtype(0, dtype_); }
  void run(RunContext& ctx) const override {
    const Tensor& seq = sequence_input(ctx, 0, "ConcatFromSequence");
    const auto& elements = seq.elements();
    if (elements.empty()) throw Error(Stage::Run, "ConcatFromSequence: the sequence is empty");
    const int64_t rank = static_cast<int64_t>(elements[0].rank());
    const int64_t axis = normalize_axis(axis_, rank + new_axis_);
    ctx.set_output(0, new_axis_ ? stack_along_axis(elements, axis, Stage::Run)
                                : concat_along_axis(elements, axis, Stage::Run));
  }

 private:
  DType dtype_;
  int64_t axis_ = 0, new_axis_ = 0;
};

ONNXI_REGISTER_KERNEL("", "SplitToSequence", 11, 24, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new SplitToSequenceKernel(ctx));
});
ONNXI_REGISTER_KERNEL("", "ConcatFromSequence", 11, 11, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new ConcatFromSequenceKernel(ctx));
});

}  // namespace
}  // namespace onnxi
