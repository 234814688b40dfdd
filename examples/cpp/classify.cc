// Minimal C++ embedding example: classify an image tensor with an ImageNet model
// (e.g. ResNet-50) and print the top-5 classes.
//   classify_cpp MODEL.onnx INPUT.pb|INPUT.npy
#include <onnxi/io.h>
#include <onnxi/session.h>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s MODEL.onnx INPUT.pb\n", argv[0]);
    return 2;
  }
  try {
    onnxi::SessionOptions options;
    options.threads = 2;
    auto session = onnxi::Session::from_file(argv[1], options);
    const onnxi::IOInfo& in = session->inputs().at(0);

    onnxi::Tensor image = onnxi::read_tensor_file(argv[2]);
    std::vector<onnxi::Tensor> out = session->run({{in.name, image}});
    const onnxi::Tensor& logits = out.at(0);  // [N, classes]

    const int64_t classes = logits.shape().back();
    for (int64_t b = 0; b < logits.numel() / classes; ++b) {
      const float* row = logits.data<float>() + b * classes;
      std::vector<int64_t> idx(static_cast<size_t>(classes));
      std::iota(idx.begin(), idx.end(), 0);
      std::partial_sort(idx.begin(), idx.begin() + 5, idx.end(),
                        [&](int64_t x, int64_t y) { return row[x] > row[y]; });
      std::printf("top-5 [%lld]:", static_cast<long long>(b));
      for (int k = 0; k < 5; ++k) std::printf(" %lld", static_cast<long long>(idx[static_cast<size_t>(k)]));
      std::printf("\n");
    }
  } catch (const onnxi::Error& e) {
    std::fprintf(stderr, "classify: %s\n", e.what());
    return 1;
  }
  return 0;
}
