// onnxi info MODEL
#include <cstdio>

#include "cli/commands.h"

namespace onnxi::cli {

Command add_info(CLI::App& app) {
  auto model = std::make_shared<std::string>();
  app.add_option("model", *model, "ONNX model file")->required();
  return [model]() {
    ModelSummary s = summarize_model(*model);
    std::printf("model:      %s\n", s.path.c_str());
    std::printf("ir_version: %lld\n", static_cast<long long>(s.ir_version));
    std::printf("producer:   %s\n", s.producer.empty() ? "(none)" : s.producer.c_str());
    std::printf("opsets:    ");
    for (const auto& [d, v] : s.opsets) std::printf(" %s=%lld", d.empty() ? "ai.onnx" : d.c_str(), static_cast<long long>(v));
    // "float32", or "sequence(float32)" etc. for non-tensors (the shape is then the elements').
    auto type_of = [](const IOInfo& io) {
      std::string t(dtype_name(io.dtype));
      return io.kind == "tensor" ? t : io.kind + "(" + t + ")";
    };
    std::printf("\ninputs:\n");
    for (const auto& io : s.inputs)
      std::printf("  %-24s %-8s %s\n", io.name.c_str(), type_of(io).c_str(),
                  io.has_shape ? format_shape(io.shape, io.dim_names).c_str() : "(unknown rank)");
    std::printf("outputs:\n");
    for (const auto& io : s.outputs)
      std::printf("  %-24s %-8s %s\n", io.name.c_str(), type_of(io).c_str(),
                  io.has_shape ? format_shape(io.shape, io.dim_names).c_str() : "(unknown rank)");
    std::printf("initializers: %zu (%.1f MB)\n", s.initializer_count, s.initializer_bytes / 1e6);
    size_t total = 0;
    for (const auto& [op, n] : s.op_histogram) total += n;
    std::printf("nodes: %zu\n", total);
    for (const auto& [op, n] : s.op_histogram) std::printf("  %-28s %zu\n", op.c_str(), n);
    if (s.unsupported.empty()) {
      std::printf("unsupported: none\n");
    } else {
      std::printf("unsupported: %zu\n", s.unsupported.size());
      for (const auto& u : s.unsupported) std::printf("  %s\n", u.c_str());
    }
    return 0;
  };
}

}  // namespace onnxi::cli
