// onnxi::NhwcConv on oneDNN (provider "onednn"): float 2-D convolution on NHWC tensors with
// constant weights, bias and the fused clamp as oneDNN post-ops.
//
// Why a third provider: on AVX-512 machines oneDNN's brgemm convolutions run ResNet-style
// layers markedly faster than the XNNPACK build Debian ships (see bench/README.md). The
// factory only accepts a node when oneDNN picks an optimized (JIT) implementation for it;
// otherwise it declines and XNNPACK (then the reference kernel) takes the node.
//
// Weights are reordered once into the layout the primitive wants, at prepare time, and
// the ONNX copy is then released. prepare() makes the primitive for the probe geometry; an
// execution context running another geometry (batch, height, width) makes its own in the
// reshape step, with its own reordered copy of the packed weights if that primitive wants
// another layout (reordered from the packed copy, never the released original).
#include <omp.h>
#include <pthreadpool.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <oneapi/dnnl/dnnl.hpp>
#include <optional>
#include <string>

#include "onnxi/session.h"
#include "ops/nn/conv_common.h"
#include "ops/onednn/onednn_util.h"
#include "ops/onednn/provider.h"

namespace onnxi::nn {

namespace {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

// What identifies one primitive: the input geometry and the padding applied to it.
struct ConvKey {
  int64_t batch, ih, iw;
  std::array<int64_t, 4> pads;
  bool plain = false;  // no post-ops (bias only): for a residual that must be broadcast
  auto operator<=>(const ConvKey&) const = default;
};

struct ConvPrimitive {
  dnnl::convolution_forward prim;
  memory::desc weights_md;
  size_t scratchpad_bytes = 0;
};

class NhwcConvDnnlKernel final : public Kernel {
 public:
  NhwcConvDnnlKernel(ConvConfig cfg, const WindowAttrs& win, int64_t in_channels, int64_t out_channels,
                     const Tensor& w, const Tensor* b, Shape probe_x)
      : cfg_(std::move(cfg)),
        win_(win),
        in_channels_(in_channels),
        out_channels_(out_channels),
        weights_(w),
        bias_(b ? *b : Tensor()),
        probe_x_(std::move(probe_x)) {}

  // The primitive descriptor for `key`; nullopt when oneDNN only has a reference (slow)
  // implementation for it. Throws dnnl::error on failure.
  std::optional<dnnl::convolution_forward::primitive_desc> make_pd(const ConvKey& key,
                                                                   const memory::desc* want_weights,
                                                                   int threads, std::string* impl) const {
    const int64_t n = key.batch, ih = key.ih, iw = key.iw;
    const int64_t kh = win_.kernel[0], kw = win_.kernel[1];
    const int64_t oh = (ih + key.pads[0] + key.pads[2] - ((kh - 1) * win_.dilations[0] + 1)) / win_.strides[0] + 1;
    const int64_t ow = (iw + key.pads[1] + key.pads[3] - ((kw - 1) * win_.dilations[1] + 1)) / win_.strides[1] + 1;
    memory::desc src({n, in_channels_, ih, iw}, dt::f32, tag::nhwc);
    memory::desc dst({n, out_channels_, oh, ow}, dt::f32, tag::nhwc);
    memory::desc wts = want_weights ? *want_weights : memory::desc(weights_dims(), dt::f32, tag::any);
    memory::desc bias = bias_md();
    memory::dims strides{win_.strides[0], win_.strides[1]};
    memory::dims dil{win_.dilations[0] - 1, win_.dilations[1] - 1};
    memory::dims pad_l{key.pads[0], key.pads[1]}, pad_r{key.pads[2], key.pads[3]};
    dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src,
                                      wts, bias, dst, strides, dil, pad_l, pad_r);
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    dnnl::post_ops po;
    if (cfg_.has_residual && !key.plain) {
      if (residual_ == Residual::kBinary)
        po.append_binary(dnnl::algorithm::binary_add, dst);
      else
        po.append_sum(1.0f);
    }
    if (cfg_.has_activation() && !key.plain) {
      if (cfg_.act_min == 0.0f && std::isinf(cfg_.act_max) && cfg_.act_max > 0)
        po.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
      else
        po.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, std::max(cfg_.act_min, -3.4e38f),
                          std::min(cfg_.act_max, 3.4e38f));
    }
    attr.set_post_ops(po);
    // oneDNN sizes its work split by the OpenMP thread count of the calling thread.
    omp_set_num_threads(threads);
    dnnl::convolution_forward::primitive_desc pd(d, attr, onednn_engine(), /*allow_empty=*/true);
    if (!pd) return std::nullopt;
    std::string name = pd.impl_info_str();
    if (impl) *impl = name;
    if (!onednn_impl_is_optimized(name)) return std::nullopt;
    return pd;
  }

  std::optional<ConvPrimitive> make_primitive(const ConvKey& key, const memory::desc* want_weights,
                                              int threads) const {
    auto pd = make_pd(key, want_weights, threads, nullptr);
    if (!pd) return std::nullopt;
    return ConvPrimitive{dnnl::convolution_forward(*pd), pd->weights_desc(), pd->scratchpad_desc().get_size()};
  }

  void infer(InferContext& ctx) override { infer_conv(cfg_, ctx); }
  double flops(const std::vector<ValueType>& in, const std::vector<ValueType>& out) const override {
    return conv_flops(in, out);
  }

  // Checked by the factory: is oneDNN's implementation for the probe shape a fast one?
  // With a residual input, a binary-add post-op reads Z directly; where oneDNN has no fast
  // implementation of that, a sum post-op adds the destination's prior contents (Z is
  // copied there first).
  bool probe(int threads, std::string* impl) {
    if (!cfg_.has_residual) return make_pd(key_for(probe_x_), nullptr, threads, impl).has_value();
    for (Residual r : {Residual::kBinary, Residual::kSum}) {
      residual_ = r;
      if (make_pd(key_for(probe_x_), nullptr, threads, impl)) return true;
    }
    return false;
  }

  void prepare(PrepareContext& ctx) override {
    threads_ = ctx.threadpool ? static_cast<int>(pthreadpool_get_threads_count(ctx.threadpool)) : 1;
    try {
      // Packs the weights now (and releases the ONNX copy); the primitive for the probe
      // shape is kept for the common case of a session run at that shape.
      primitive_for(key_for(probe_x_));
    } catch (const dnnl::error& e) {
      throw Error(Stage::Build, std::string("oneDNN convolution: ") + e.what());
    }
  }

  bool packed_input(size_t i) const override { return (i == 1 || i == 2) && !weights_.defined(); }

  // Per execution context: the geometry, the primitive for it (the kernel's when prepare()
  // made one for this geometry, otherwise the context's own), and scratch memory.
  struct State : ConvState {
    const ConvPrimitive* prim = nullptr;
    std::optional<ConvPrimitive> own;
    memory weights;  // packed for `prim`
    bool plain = false;
    Scratch scratchpad, conv_out;
  };
  std::unique_ptr<KernelState> make_state() const override { return std::make_unique<State>(); }

  void reshape(RunContext& ctx) const override {
    State& st = ctx.state<State>();
    reshape_conv(cfg_, ctx, st);
    const ConvShapes& s = st.shapes;
    const Tensor& y = ctx.output(0);
    // A residual of another shape than the convolution's is added (broadcast) afterwards.
    st.plain = cfg_.has_residual && (s.output != y.shape() || ctx.input(3).shape() != y.shape());
    const ConvKey key{s.batch, s.geom.in[0], s.geom.in[1],
                      {s.geom.pad_begin[0], s.geom.pad_begin[1], s.geom.pad_end[0], s.geom.pad_end[1]}, st.plain};
    auto it = prims_.find(key);
    if (it != prims_.end()) {
      st.prim = &it->second;
      st.weights = packed_weights_;
      st.own.reset();
      return;
    }
    const int threads = ctx.threadpool() ? static_cast<int>(pthreadpool_get_threads_count(ctx.threadpool())) : 1;
    try {
      std::optional<ConvPrimitive> p = make_primitive(key, &packed_md_, threads);
      memory weights = packed_weights_;
      if (!p) {  // wants another weight layout: the context gets its own reordered copy
        p = make_primitive(key, nullptr, threads);
        if (!p) throw Error(Stage::Run, "oneDNN has no optimized convolution for this input size");
        const dnnl::engine& eng = onednn_engine();
        dnnl::stream strm(eng);
        weights = memory(p->weights_md, eng);
        memory packed = packed_weights_;  // a handle to the kernel's (read-only) copy
        dnnl::reorder(packed, weights).execute(strm, packed, weights);
        strm.wait();
      }
      st.own = std::move(p);
      st.prim = &*st.own;
      st.weights = weights;
    } catch (const dnnl::error& e) {
      throw Error(Stage::Run, std::string("oneDNN convolution: ") + e.what());
    }
  }

  void run(RunContext& ctx) const override {
    State& st = ctx.state<State>();
    Tensor& y = ctx.output(0);
    if (y.numel() == 0) return;
    const int threads = ctx.threadpool() ? static_cast<int>(pthreadpool_get_threads_count(ctx.threadpool())) : 1;
    const ConvShapes& s = st.shapes;
    try {
      const ConvPrimitive& p = *st.prim;
      const dnnl::engine& eng = onednn_engine();
      const Tensor& x = ctx.input(0);
      float* out = conv_destination<float>(cfg_, s, y, st.conv_out);
      memory::desc dst_md({s.batch, out_channels_, s.geom.out[0], s.geom.out[1]}, dt::f32, tag::nhwc);
      memory src(memory::desc({s.batch, in_channels_, s.geom.in[0], s.geom.in[1]}, dt::f32, tag::nhwc), eng,
                 const_cast<float*>(x.data<float>()));
      memory dst(dst_md, eng, out);
      float* pad = st.scratchpad.ensure<float>((p.scratchpad_bytes + sizeof(float) - 1) / sizeof(float) + 1);
      memory scratch(memory::desc({static_cast<int64_t>(p.scratchpad_bytes)}, dt::u8, tag::x), eng, pad);
      std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src},
                                           {DNNL_ARG_WEIGHTS, st.weights},
                                           {DNNL_ARG_DST, dst},
                                           {DNNL_ARG_SCRATCHPAD, scratch}};
      if (bias_mem_) args.emplace(DNNL_ARG_BIAS, *bias_mem_);
      const float* z = cfg_.has_residual ? ctx.input(3).data<float>() : nullptr;
      if (z && !st.plain) {
        if (residual_ == Residual::kBinary)
          args.emplace(DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, memory(dst_md, eng, const_cast<float*>(z)));
        else if (z != out)
          std::copy_n(z, y.numel(), out);
      }
      omp_set_num_threads(threads);
      dnnl::stream strm(eng);
      p.prim.execute(strm, args);
      strm.wait();
      if (st.plain)
        add_residual_clamp<float>(out, s.output, ctx.input(3), y, cfg_.act_min, cfg_.act_max, ctx.threadpool());
    } catch (const dnnl::error& e) {
      throw Error(Stage::Run, std::string("oneDNN convolution: ") + e.what());
    }
  }

  bool runs_on_own_threads() const override { return threads_ > 1; }

 private:
  memory::dims weights_dims() const {
    const int64_t g = cfg_.group, kh = win_.kernel[0], kw = win_.kernel[1];
    if (g == 1) return {out_channels_, in_channels_, kh, kw};
    return {g, out_channels_ / g, in_channels_ / g, kh, kw};
  }
  memory::desc bias_md() const {
    return bias_.defined() || bias_mem_ ? memory::desc({out_channels_}, dt::f32, tag::x) : memory::desc();
  }

  ConvKey key_for(const Shape& x) const {
    std::vector<int64_t> in{x[1], x[2]};
    WindowGeometry g = compute_window_geometry(win_, in, Stage::Build);
    return ConvKey{x[0], x[1], x[2], {g.pad_begin[0], g.pad_begin[1], g.pad_end[0], g.pad_end[1]}};
  }

  // The primitive for `key`, made (and the weights packed for it) by prepare().
  const ConvPrimitive& primitive_for(const ConvKey& key) {
    auto it = prims_.find(key);
    if (it != prims_.end()) return it->second;
    const memory::desc* want = packed_weights_ ? &packed_md_ : nullptr;
    std::optional<ConvPrimitive> p = make_primitive(key, want, threads_);
    if (!p && want) p = make_primitive(key, nullptr, threads_);  // wants another layout
    if (!p) throw Error(Stage::Run, "oneDNN has no optimized convolution for this input size");
    pack_weights(p->weights_md);
    return prims_.emplace(key, std::move(*p)).first->second;
  }

  void pack_weights(const memory::desc& md) {
    if (packed_weights_ && packed_md_ == md) return;
    const dnnl::engine& eng = onednn_engine();
    dnnl::stream strm(eng);
    memory packed(md, eng);
    if (packed_weights_) {
      dnnl::reorder(packed_weights_, packed).execute(strm, packed_weights_, packed);
    } else {
      memory::dims dims = weights_dims();
      memory user(memory::desc(dims, dt::f32, dims.size() == 4 ? tag::oihw : tag::goihw), eng,
                  const_cast<float*>(weights_.data<float>()));
      dnnl::reorder(user, packed).execute(strm, user, packed);
      if (bias_.defined()) {
        bias_mem_ = memory(memory::desc({out_channels_}, dt::f32, tag::x), eng);
        std::copy_n(bias_.data<float>(), out_channels_, static_cast<float*>(bias_mem_->get_data_handle()));
      }
    }
    strm.wait();
    packed_weights_ = packed;
    packed_md_ = md;
    // oneDNN holds the only copy from here on.
    weights_ = Tensor();
    bias_ = Tensor();
  }

  ConvConfig cfg_;
  WindowAttrs win_;
  int64_t in_channels_, out_channels_;
  Tensor weights_, bias_;
  Shape probe_x_;          // NHWC input shape used to choose (and, if real, prepare) the primitive
  int threads_ = 1;
  memory packed_weights_;
  memory::desc packed_md_;
  std::optional<memory> bias_mem_;
  std::map<ConvKey, ConvPrimitive> prims_;  // made by prepare(); read-only afterwards
  enum class Residual { kBinary, kSum } residual_ = Residual::kBinary;
};

std::unique_ptr<Kernel> make_onednn(const BuildContext& ctx) {
  if (!onednn_available()) return nullptr;
  std::optional<XnnConvPlan> p = plan_xnn_conv(ctx, /*nhwc=*/true);
  if (!p) return nullptr;
  // Depthwise and other grouped convolutions stay with XNNPACK, which does them well.
  if (p->cfg.group != 1) return nullptr;
  // The probe shape (the session's, with symbolic dims as 1) decides whether oneDNN has a
  // fast implementation for this layer; without one, a 16x16 image stands in.
  Shape x;
  if (!ctx.inputs.empty() && ctx.inputs[0].shape_known) {
    x = ctx.inputs[0].shape;
    if (x.size() != 4 || x[3] != p->in_channels || x[0] <= 0 || x[1] <= 0 || x[2] <= 0) return nullptr;
  } else {
    int64_t h = std::max<int64_t>(16, (p->win.kernel[0] - 1) * p->win.dilations[0] + 1);
    int64_t w = std::max<int64_t>(16, (p->win.kernel[1] - 1) * p->win.dilations[1] + 1);
    x = {1, h, w, p->in_channels};
  }
  auto k = std::make_unique<NhwcConvDnnlKernel>(std::move(p->cfg), p->win, p->in_channels, p->out_channels, *p->w,
                                                p->b, x);
  try {
    std::string impl;
    int threads = ctx.options && ctx.options->threads > 0 ? ctx.options->threads : onednn_default_threads();
    if (!k->probe(threads, &impl)) return nullptr;
  } catch (const dnnl::error&) {
    return nullptr;
  } catch (const Error&) {
    return nullptr;
  }
  return k;
}

}  // namespace

ONNXI_REGISTER_KERNEL("onnxi", "NhwcConv", 1, 1, kOnednn, make_onednn);

}  // namespace onnxi::nn
