// The basic sequence operators (opset 11+): SequenceEmpty, SequenceConstruct,
// SequenceInsert, SequenceAt, SequenceErase, SequenceLength. Positions may be negative
// (counted from the end); out-of-range positions are errors. Sequences hold their own
// copies of element data (inputs may be views of the session's arena), and are never
// modified in place: each op makes a new sequence that shares the unchanged elements.
#include "ops/common/axis_copy.h"
#include "ops/common/kernel_util.h"
#include "ops/sequence/sequence_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

std::string position_error(const char* op, int64_t pos, int64_t lo, int64_t hi) {
  return std::string(op) + " position " + std::to_string(pos) + " is outside [" + std::to_string(lo) + ", " +
         std::to_string(hi) + "]";
}

class SequenceEmptyKernel : public Kernel {
 public:
  explicit SequenceEmptyKernel(const BuildContext& ctx) {
    if (!ctx.node.inputs.empty()) throw Error(Stage::Build, "SequenceEmpty takes no inputs");
    int64_t code = ctx.attrs.get_int("dtype", static_cast<int64_t>(DType::Float));
    auto dt =
        code >= INT32_MIN && code <= INT32_MAX ? dtype_from_onnx(static_cast<int32_t>(code)) : std::nullopt;
    if (!dt || *dt == DType::Undefined)
      throw Error(Stage::Build,
                  "SequenceEmpty dtype " + std::to_string(code) + " is not a tensor element type");
    dtype_ = *dt;
  }
  void infer(InferContext& ctx) override { ctx.set_output_dtype(0, dtype_); }
  void run(RunContext& ctx) const override { ctx.set_output(0, Tensor::sequence(dtype_, {})); }

 private:
  DType dtype_ = DType::Float;
};

class SequenceConstructKernel : public Kernel {
 public:
  explicit SequenceConstructKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.empty()) throw Error(Stage::Build, "SequenceConstruct expects at least 1 input");
    dtype_ = ctx.input_dtype(0);
    for (size_t i = 0; i < ctx.node.inputs.size(); ++i) {
      if (!ctx.has_input(i))
        throw Error(Stage::Build, "SequenceConstruct input " + std::to_string(i) + " is missing");
      if (ctx.input_dtype(i) != dtype_)
        throw Error(Stage::Build, "SequenceConstruct input " + std::to_string(i) + " is " +
                                      std::string(dtype_name(ctx.input_dtype(i))) + ", input 0 is " +
                                      std::string(dtype_name(dtype_)));
    }
  }
  void infer(InferContext& ctx) override { ctx.set_output_dtype(0, dtype_); }
  void run(RunContext& ctx) const override {
    std::vector<Tensor> elements;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      const Tensor& t = tensor_input(ctx, i, "SequenceConstruct");
      if (t.dtype() != dtype_)
        throw Error(Stage::Run, "SequenceConstruct input " + std::to_string(i) + " is " +
                                    std::string(dtype_name(t.dtype())) + ", expected " +
                                    std::string(dtype_name(dtype_)));
      elements.push_back(detach(t));
    }
    ctx.set_output(0, Tensor::sequence(dtype_, std::move(elements)));
  }

 private:
  DType dtype_ = DType::Undefined;
};

class SequenceInsertKernel : public Kernel {
 public:
  explicit SequenceInsertKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.size() < 2 || !ctx.has_input(0) || !ctx.has_input(1))
      throw Error(Stage::Build, "SequenceInsert expects a sequence and a tensor");
    DType seq = ctx.input_dtype(0), t = ctx.input_dtype(1);
    if (seq != DType::Undefined && seq != t)
      throw Error(Stage::Build, "SequenceInsert: cannot insert a " + std::string(dtype_name(t)) +
                                    " tensor into a sequence of " + std::string(dtype_name(seq)));
    dtype_ = t;
  }
  void infer(InferContext& ctx) override { ctx.set_output_dtype(0, dtype_); }
  void run(RunContext& ctx) const override {
    const Tensor& seq = sequence_input(ctx, 0, "SequenceInsert");
    const Tensor& t = tensor_input(ctx, 1, "SequenceInsert");
    if (t.dtype() != dtype_ || (seq.dtype() != DType::Undefined && seq.dtype() != dtype_))
      throw Error(Stage::Run, "SequenceInsert: cannot insert a " + std::string(dtype_name(t.dtype())) +
                                  " tensor into a sequence of " + std::string(dtype_name(seq.dtype())));
    std::vector<Tensor> elements = seq.elements();
    const int64_t n = static_cast<int64_t>(elements.size());
    int64_t pos = n;
    if (ctx.has_input(2)) {
      pos = read_position(ctx.input(2), "SequenceInsert");
      if (pos < -n || pos > n) throw Error(Stage::Run, position_error("SequenceInsert", pos, -n, n));
      if (pos < 0) pos += n;
    }
    elements.insert(elements.begin() + pos, detach(t));
    ctx.set_output(0, Tensor::sequence(dtype_, std::move(elements)));
  }

 private:
  DType dtype_ = DType::Undefined;
};

class SequenceAtKernel : public Kernel {
 public:
  explicit SequenceAtKernel(const BuildContext& ctx) : dtype_(ctx.input_dtype(0)) {
    if (ctx.node.inputs.size() != 2 || !ctx.has_input(0) || !ctx.has_input(1))
      throw Error(Stage::Build, "SequenceAt expects a sequence and a position");
    if (dtype_ == DType::Undefined)
      throw Error(Stage::Build, "SequenceAt: the sequence's element type is unknown");
  }
  void infer(InferContext& ctx) override { ctx.set_output_dtype(0, dtype_); }
  void run(RunContext& ctx) const override {
    const Tensor& seq = sequence_input(ctx, 0, "SequenceAt");
    const int64_t n = static_cast<int64_t>(seq.elements().size());
    int64_t pos = read_position(ctx.input(1), "SequenceAt");
    if (pos < -n || pos >= n) throw Error(Stage::Run, position_error("SequenceAt", pos, -n, n - 1));
    if (pos < 0) pos += n;
    // A copy: the output may be handed to the caller, who must not alias the sequence.
    ctx.set_output(0, seq.elements()[static_cast<size_t>(pos)].clone());
  }

 private:
  DType dtype_;
};

class SequenceEraseKernel : public Kernel {
 public:
  explicit SequenceEraseKernel(const BuildContext& ctx) : dtype_(ctx.input_dtype(0)) {
    if (ctx.node.inputs.empty() || !ctx.has_input(0))
      throw Error(Stage::Build, "SequenceErase expects a sequence");
    if (dtype_ == DType::Undefined)
      throw Error(Stage::Build, "SequenceErase: the sequence's element type is unknown");
  }
  void infer(InferContext& ctx) override { ctx.set_output_dtype(0, dtype_); }
  void run(RunContext& ctx) const override {
    const Tensor& seq = sequence_input(ctx, 0, "SequenceErase");
    std::vector<Tensor> elements = seq.elements();
    const int64_t n = static_cast<int64_t>(elements.size());
    if (n == 0) throw Error(Stage::Run, "SequenceErase: the sequence is empty");
    int64_t pos = n - 1;
    if (ctx.has_input(1)) {
      pos = read_position(ctx.input(1), "SequenceErase");
      if (pos < -n || pos >= n) throw Error(Stage::Run, position_error("SequenceErase", pos, -n, n - 1));
      if (pos < 0) pos += n;
    }
    elements.erase(elements.begin() + pos);
    ctx.set_output(0, Tensor::sequence(dtype_, std::move(elements)));
  }

 private:
  DType dtype_;
};

class SequenceLengthKernel : public Kernel {
 public:
  explicit SequenceLengthKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.size() != 1 || !ctx.has_input(0))
      throw Error(Stage::Build, "SequenceLength expects a sequence");
  }
  void infer(InferContext& ctx) override { ctx.set_output(0, DType::Int64, {}); }
  void run(RunContext& ctx) const override {
    const Tensor& seq = sequence_input(ctx, 0, "SequenceLength");
    output_for(ctx, 0, DType::Int64, {}).data<int64_t>()[0] = static_cast<int64_t>(seq.elements().size());
  }
};

template <class K>
KernelFactory factory() {
  return [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new K(ctx)); };
}

ONNXI_REGISTER_KERNEL("", "SequenceEmpty", 11, 11, kRef, factory<SequenceEmptyKernel>());
ONNXI_REGISTER_KERNEL("", "SequenceConstruct", 11, 11, kRef, factory<SequenceConstructKernel>());
ONNXI_REGISTER_KERNEL("", "SequenceInsert", 11, 11, kRef, factory<SequenceInsertKernel>());
ONNXI_REGISTER_KERNEL("", "SequenceAt", 11, 11, kRef, factory<SequenceAtKernel>());
ONNXI_REGISTER_KERNEL("", "SequenceErase", 11, 11, kRef, factory<SequenceEraseKernel>());
ONNXI_REGISTER_KERNEL("", "SequenceLength", 11, 11, kRef, factory<SequenceLengthKernel>());

}  // namespace
}  // namespace onnxi
