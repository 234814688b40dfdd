// onnxi info MODEL [--graph] [--dot FILE] [--json]
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "cli/commands.h"
#include "onnxi/summary.h"
#include "cli/json.h"

namespace onnxi::cli {

namespace {

// Version of the --json document; bump when a field changes meaning or is removed.
constexpr int kInfoJsonVersion = 1;

struct InfoOptions {
  std::string model;
  bool graph = false;
  std::string dot;
  bool json = false;
  SessionFlags session;
};

// "float32", or "sequence(float32)" etc. for non-tensors (the shape is then the elements').
std::string type_of(const IOInfo& io) {
  std::string t(dtype_name(io.dtype));
  return io.kind == "tensor" ? t : io.kind + "(" + t + ")";
}

std::string shape_of(const IOInfo& io) {
  return io.has_shape ? format_shape(io.shape, io.dim_names) : "(unknown rank)";
}

std::string json_io(const IOInfo& io) {
  std::string s =
      "{\"name\":" + json_string(io.name) + ",\"type\":" + json_string(type_of(io)) + ",\"shape\":";
  if (!io.has_shape) return s + "null}";
  s += "[";
  for (size_t i = 0; i < io.shape.size(); ++i) {
    if (i) s += ",";
    s += io.shape[i] >= 0
             ? std::to_string(io.shape[i])
             : json_string(i < io.dim_names.size() && !io.dim_names[i].empty() ? io.dim_names[i] : "?");
  }
  return s + "]}";
}

// Fill colour per provider: what runs each node.
const char* provider_colour(const std::string& provider) {
  if (provider == "xnnpack") return "#9fd99f";
  if (provider == "ref") return "#f5c77e";
  return "#9fc5f0";  // onednn, and any other provider
}

std::string dot_id(const std::string& s) { return json_string(s); }  // DOT accepts C-style quoted ids

void write_dot(const std::string& path, const std::string& model, const std::vector<NodeProfile>& nodes,
               const std::vector<IOInfo>& inputs, const std::vector<IOInfo>& outputs) {
  std::ofstream f(path);
  if (!f) throw Error(Stage::Io, "cannot write " + path);
  f << "digraph onnxi {\n  label="
    << dot_id(model + " (green: XNNPACK, orange: reference kernel, blue: other)")
    << ";\n  labelloc=t;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", "
       "fontsize=10];\n"
    << "  edge [fontname=\"Helvetica\", fontsize=8];\n";
  std::map<std::string, std::string> producer;  // value -> dot node id
  std::map<std::string, std::string> value_shape;
  for (const auto& io : inputs) {
    std::string id = "in:" + io.name;
    f << "  " << dot_id(id)
      << " [shape=ellipse, fillcolor=\"#e8e8e8\", label=" << dot_id(io.name + "\n" + shape_of(io)) << "];\n";
    producer[io.name] = id;
  }
  std::set<std::string> providers;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const auto& n = nodes[i];
    std::string id = "n" + std::to_string(i);
    providers.insert(n.provider);
    f << "  " << id << " [fillcolor=\"" << provider_colour(n.provider) << "\", label="
      << dot_id(n.op_type + "\n" + n.name + "\n" + n.provider + " " + format_shape(n.output_shape)) << "];\n";
    for (const auto& out : n.outputs)
      if (!out.empty()) producer[out] = id;
    if (!n.outputs.empty()) value_shape[n.outputs[0]] = format_shape(n.output_shape);
  }
  for (size_t i = 0; i < nodes.size(); ++i)
    for (const auto& in : nodes[i].inputs) {
      auto it = producer.find(in);
      if (it == producer.end()) continue;  // constants and folded values are not drawn
      f << "  " << dot_id(it->second) << " -> n" << i << ";\n";
    }
  for (const auto& io : outputs) {
    std::string id = "out:" + io.name;
    f << "  " << dot_id(id) << " [shape=ellipse, fillcolor=\"#e8e8e8\", label=" << dot_id(io.name) << "];\n";
    auto it = producer.find(io.name);
    if (it != producer.end()) f << "  " << dot_id(it->second) << " -> " << dot_id(id) << ";\n";
  }
  f << "}\n";
  if (!f) throw Error(Stage::Io, "error writing " + path);
}

}  // namespace

Command add_info(CLI::App& app) {
  auto o = std::make_shared<InfoOptions>();
  app.add_option("model", o->model, "ONNX model file")->required();
  app.add_flag(
      "--graph", o->graph,
      "Also list every node as the session runs it (after rewrites): op, provider, inputs, output shape");
  app.add_option(
      "--dot", o->dot,
      "Write the graph as Graphviz DOT, nodes coloured by provider (render: dot -Tsvg FILE -o g.svg)");
  app.add_flag("--json", o->json, "Print one JSON document (format \"onnxi-info\", version 1) instead");
  add_session_flags(app, o->session, nullptr);
  app.footer(
      "--graph and --dot build a session (the model must be supported; see `onnxi check`); node shapes\n"
      "are those planned for the declared input shapes, with dynamic dims set to 1.\n"
      "\n"
      "Examples:\n"
      "  onnxi info models/resnet50/model.onnx\n"
      "  onnxi info models/resnet50/model.onnx --graph\n"
      "  onnxi info models/resnet50/model.onnx --dot resnet50.dot && dot -Tsvg resnet50.dot -o resnet50.svg\n"
      "  onnxi info model.onnx --json --graph | python3 -m json.tool");
  return [o]() {
    ModelSummary s = summarize_model(o->model);
    std::vector<NodeProfile> nodes;
    if (o->graph || !o->dot.empty()) {
      auto session = Session::from_file(o->model, o->session.options());
      nodes = session->profile();
      if (!o->dot.empty()) write_dot(o->dot, o->model, nodes, session->inputs(), session->outputs());
    }
    size_t total = 0;
    for (const auto& [op, n] : s.op_histogram) total += n;
    if (o->json) {
      std::ostringstream j;
      j << "{\"format\":\"onnxi-info\",\"version\":" << kInfoJsonVersion
        << ",\"model\":" << json_string(s.path) << ",\"ir_version\":" << s.ir_version
        << ",\"producer\":" << json_string(s.producer) << ",\"opsets\":{";
      bool first = true;
      for (const auto& [d, v] : s.opsets) {
        j << (first ? "" : ",") << json_string(d.empty() ? "ai.onnx" : d) << ":" << v;
        first = false;
      }
      j << "},\"inputs\":[";
      for (size_t i = 0; i < s.inputs.size(); ++i) j << (i ? "," : "") << json_io(s.inputs[i]);
      j << "],\"outputs\":[";
      for (size_t i = 0; i < s.outputs.size(); ++i) j << (i ? "," : "") << json_io(s.outputs[i]);
      j << "],\"initializers\":{\"count\":" << s.initializer_count << ",\"bytes\":" << s.initializer_bytes
        << "},\"node_count\":" << total << ",\"op_histogram\":{";
      first = true;
      for (const auto& [op, n] : s.op_histogram) {
        j << (first ? "" : ",") << json_string(op) << ":" << n;
        first = false;
      }
      j << "},\"unsupported\":[";
      for (size_t i = 0; i < s.unsupported.size(); ++i) j << (i ? "," : "") << json_string(s.unsupported[i]);
      j << "]";
      if (o->graph) {
        j << ",\"graph\":[";
        for (size_t i = 0; i < nodes.size(); ++i) {
          const auto& n = nodes[i];
          j << (i ? "," : "") << "{\"name\":" << json_string(n.name)
            << ",\"op_type\":" << json_string(n.op_type) << ",\"provider\":" << json_string(n.provider)
            << ",\"inputs\":[";
          for (size_t k = 0; k < n.inputs.size(); ++k) j << (k ? "," : "") << json_string(n.inputs[k]);
          j << "],\"outputs\":[";
          for (size_t k = 0; k < n.outputs.size(); ++k) j << (k ? "," : "") << json_string(n.outputs[k]);
          j << "],\"output_shape\":[";
          for (size_t k = 0; k < n.output_shape.size(); ++k) j << (k ? "," : "") << n.output_shape[k];
          j << "]}";
        }
        j << "]";
      }
      j << "}\n";
      std::fputs(j.str().c_str(), stdout);
      return 0;
    }
    std::printf("model:      %s\n", s.path.c_str());
    std::printf("ir_version: %lld\n", static_cast<long long>(s.ir_version));
    std::printf("producer:   %s\n", s.producer.empty() ? "(none)" : s.producer.c_str());
    std::printf("opsets:    ");
    for (const auto& [d, v] : s.opsets)
      std::printf(" %s=%lld", d.empty() ? "ai.onnx" : d.c_str(), static_cast<long long>(v));
    std::printf("\ninputs:\n");
    for (const auto& io : s.inputs)
      std::printf("  %-24s %-8s %s\n", io.name.c_str(), type_of(io).c_str(), shape_of(io).c_str());
    std::printf("outputs:\n");
    for (const auto& io : s.outputs)
      std::printf("  %-24s %-8s %s\n", io.name.c_str(), type_of(io).c_str(), shape_of(io).c_str());
    std::printf("initializers: %zu (%.1f MB)\n", s.initializer_count, s.initializer_bytes / 1e6);
    std::printf("nodes: %zu\n", total);
    for (const auto& [op, n] : s.op_histogram) std::printf("  %-28s %zu\n", op.c_str(), n);
    if (s.unsupported.empty()) {
      std::printf("unsupported: none\n");
    } else {
      std::printf("unsupported: %zu\n", s.unsupported.size());
      for (const auto& u : s.unsupported) std::printf("  %s\n", u.c_str());
    }
    if (o->graph) {
      std::printf("graph (as run, %zu nodes):\n", nodes.size());
      for (size_t i = 0; i < nodes.size(); ++i) {
        const auto& n = nodes[i];
        std::string ins;
        for (const auto& in : n.inputs)
          ins += (ins.empty() ? "" : ", ") + (in.empty() ? std::string("-") : in);
        std::printf("  %-4zu %-32s %-20s %-8s %-20s <- %s\n", i, n.name.c_str(), n.op_type.c_str(),
                    n.provider.c_str(), format_shape(n.output_shape).c_str(), ins.c_str());
      }
    }
    if (!o->dot.empty()) std::printf("dot: %s\n", o->dot.c_str());
    return 0;
  };
}

}  // namespace onnxi::cli
