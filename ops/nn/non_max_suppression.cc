// NonMaxSuppression (ai.onnx 10, 11+), reference provider. Per batch and class, boxes whose
// score exceeds score_threshold (when given) are visited by decreasing score (ties: lower
// box index first) and kept unless their IoU with an already kept box exceeds
// iou_threshold, up to max_output_boxes_per_class. Output: [K, 3] int64 rows
// (batch, class, box) in that order, K known only at run time. Boxes are [y1, x1, y2, x2]
// corners in any order (center_point_box = 0) or [x_center, y_center, width, height] (1).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "ops/common/kernel_util.h"
#include "ops/nn/norm_util.h"

namespace onnxi::nn {

namespace {

struct Box {
  double y_min, x_min, y_max, x_max, area;
};

Box make_box(const double* c, bool center_point) {
  Box b;
  if (center_point) {
    b.x_min = c[0] - c[2] / 2;
    b.x_max = c[0] + c[2] / 2;
    b.y_min = c[1] - c[3] / 2;
    b.y_max = c[1] + c[3] / 2;
  } else {
    b.y_min = std::min(c[0], c[2]);
    b.y_max = std::max(c[0], c[2]);
    b.x_min = std::min(c[1], c[3]);
    b.x_max = std::max(c[1], c[3]);
  }
  b.area = (b.y_max - b.y_min) * (b.x_max - b.x_min);
  return b;
}

// IoU(a, b) > threshold; degenerate boxes never suppress.
bool suppresses(const Box& a, const Box& b, double threshold) {
  const double ix_min = std::max(a.x_min, b.x_min), ix_max = std::min(a.x_max, b.x_max);
  const double iy_min = std::max(a.y_min, b.y_min), iy_max = std::min(a.y_max, b.y_max);
  if (!(ix_max > ix_min) || !(iy_max > iy_min)) return false;
  if (!(a.area > 0) || !(b.area > 0)) return false;
  const double inter = (ix_max - ix_min) * (iy_max - iy_min);
  const double uni = a.area + b.area - inter;
  if (!(uni > 0)) return false;
  return inter / uni > threshold;
}

class NmsKernel final : public Kernel {
 public:
  explicit NmsKernel(bool center_point) : center_point_(center_point) {}

  void infer(InferContext& ctx) override {
    const Shape* boxes = ctx.input_shape(0);
    const Shape* scores = ctx.input_shape(1);
    if (boxes && scores) check(*boxes, *scores, Stage::Plan);
    ctx.set_output_dtype(0, DType::Int64);
  }

  void run(RunContext& ctx) const override {
    std::vector<int64_t> selected;
    std::vector<double> score;
    const Tensor& boxes = ctx.input(0);
    const Tensor& scores = ctx.input(1);
    check(boxes.shape(), scores.shape(), Stage::Run);
    int64_t max_out = 0;
    if (ctx.has_input(2)) {
      const Tensor& t = ctx.input(2);
      if (t.numel() != 1 || t.dtype() != DType::Int64)
        throw Error(Stage::Run, "max_output_boxes_per_class must be one int64 value");
      max_out = std::max<int64_t>(t.data<int64_t>()[0], 0);
    }
    double iou = 0;
    if (ctx.has_input(3)) iou = scalar(ctx.input(3), "iou_threshold");
    if (!(iou >= 0 && iou <= 1)) throw Error(Stage::Run, "iou_threshold must be in [0, 1]");
    const bool has_score_threshold = ctx.has_input(4);
    const double score_threshold = has_score_threshold ? scalar(ctx.input(4), "score_threshold") : 0;

    const int64_t batches = boxes.dim(0), n = boxes.dim(1), classes = scores.dim(1);
    selected.clear();
    std::vector<Box> box_list(static_cast<size_t>(n));
    std::vector<int64_t> order;
    std::vector<int64_t> kept;
    for (int64_t b = 0; b < batches; ++b) {
      for (int64_t i = 0; i < n; ++i) {
        double c[4];
        for (int k = 0; k < 4; ++k) c[k] = float_value_at(boxes, (b * n + i) * 4 + k);
        box_list[static_cast<size_t>(i)] = make_box(c, center_point_);
      }
      for (int64_t cls = 0; cls < classes; ++cls) {
        if (max_out == 0) break;
        const int64_t base = (b * classes + cls) * n;
        score.resize(static_cast<size_t>(n));
        order.clear();
        for (int64_t i = 0; i < n; ++i) {
          const double s = float_value_at(scores, base + i);
          score[static_cast<size_t>(i)] = s;
          if (std::isnan(s)) continue;
          if (!has_score_threshold || s > score_threshold) order.push_back(i);
        }
        std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) {
          return score[static_cast<size_t>(x)] > score[static_cast<size_t>(y)];
        });
        kept.clear();
        for (int64_t i : order) {
          if (static_cast<int64_t>(kept.size()) >= max_out) break;
          const Box& bi = box_list[static_cast<size_t>(i)];
          bool keep = true;
          for (int64_t j : kept)
            if (suppresses(box_list[static_cast<size_t>(j)], bi, iou)) {
              keep = false;
              break;
            }
          if (keep) {
            kept.push_back(i);
            selected.insert(selected.end(), {b, cls, i});
          }
        }
      }
    }
    const int64_t k = static_cast<int64_t>(selected.size() / 3);
    Tensor& y = output_for(ctx, 0, DType::Int64, {k, 3});
    std::copy(selected.begin(), selected.end(), y.data<int64_t>());
  }

  static void check(const Shape& boxes, const Shape& scores, Stage stage) {
    if (boxes.size() != 3 || boxes[2] != 4)
      throw Error(stage, "boxes " + shape_to_string(boxes) + " must be [batches, boxes, 4]");
    if (scores.size() != 3 || scores[0] != boxes[0] || scores[2] != boxes[1])
      throw Error(stage, "scores " + shape_to_string(scores) + " must be [" + std::to_string(boxes[0]) +
                             ", classes, " + std::to_string(boxes[1]) + "]");
  }

 private:
  static double scalar(const Tensor& t, const char* what) {
    if (t.numel() != 1 || !dtype_in(t.dtype(), kFloatDTypes))
      throw Error(Stage::Run, std::string(what) + " must be one float value");
    return float_value_at(t, 0);
  }

  bool center_point_;
};

std::unique_ptr<Kernel> make_ref(const BuildContext& ctx) {
  if (!ctx.has_input(0) || !ctx.has_input(1) || ctx.num_inputs() > 5 || ctx.num_outputs() != 1)
    throw Error(Stage::Build,
                "NonMaxSuppression takes boxes, scores and up to three scalars, and one output");
  const int64_t cpb = ctx.attrs.get_int("center_point_box", 0);
  if (cpb != 0 && cpb != 1) throw Error(Stage::Build, "center_point_box must be 0 or 1");
  if (!dtype_in(ctx.input_dtype(0), kFloatDTypes) || ctx.input_dtype(1) != ctx.input_dtype(0))
    throw Error(Stage::Build, "boxes and scores must be float tensors of one dtype");
  if (ctx.has_input(2) && ctx.input_dtype(2) != DType::Int64)
    throw Error(Stage::Build, "max_output_boxes_per_class must be int64");
  for (size_t i = 3; i < 5; ++i)
    if (ctx.has_input(i) && !dtype_in(ctx.input_dtype(i), kFloatDTypes))
      throw Error(Stage::Build, "iou_threshold and score_threshold must be float");
  if (ctx.inputs[0].shape_known && ctx.inputs[1].shape_known)
    NmsKernel::check(ctx.inputs[0].shape, ctx.inputs[1].shape, Stage::Build);
  return std::make_unique<NmsKernel>(cpb == 1);
}

}  // namespace

ONNXI_REGISTER_KERNEL("", "NonMaxSuppression", 10, 11, kRef, make_ref);

}  // namespace onnxi::nn
