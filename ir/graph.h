// The runtime's own model representation. Built by onnx/ from a ModelProto; nothing here
// knows about protobuf. Values are referred to by name; "" is an omitted optional input.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "onnxi/tensor.h"

namespace onnxi {

struct Graph;

// A dimension of a declared shape: a fixed size, a symbolic name, or unknown.
struct Dim {
  int64_t value = -1;      // >= 0 when fixed
  std::string symbol;      // non-empty when symbolic
  bool fixed() const { return value >= 0; }
};

struct ValueInfo {
  std::string name;
  DType dtype = DType::Undefined;
  bool has_shape = false;  // false: rank unknown
  std::vector<Dim> shape;
  // "tensor" for plain tensors; "sparse_tensor"/"sequence"/"optional"/"map"/"opaque" for
  // the others (see onnx/loader.h for what dtype and shape then describe).
  std::string kind = "tensor";
};

struct Attribute {
  enum class Kind { Float, Int, String, Tensor, Graph, Floats, Ints, Strings, Tensors, Graphs, TypeProto };
  std::string name;
  Kind kind = Kind::Int;
  float f = 0;
  int64_t i = 0;
  std::string s;
  onnxi::Tensor t;
  std::shared_ptr<onnxi::Graph> g;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
  std::vector<onnxi::Tensor> tensors;
  std::vector<std::shared_ptr<onnxi::Graph>> graphs;
};

const char* attribute_kind_name(Attribute::Kind k);

struct Node {
  std::string name;
  std::string op_type;
  std::string domain;  // "" means ai.onnx
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::map<std::string, Attribute> attributes;
  // Values from enclosing scopes that this node's subgraphs read (filled in by the
  // session); they follow the formal inputs in the kernel's input list.
  std::vector<std::string> implicit_inputs;

  const Attribute* find_attribute(const std::string& n) const {
    auto it = attributes.find(n);
    return it == attributes.end() ? nullptr : &it->second;
  }
  // Name for messages: the node's name or "#<index>" is supplied by the caller.
};

struct Graph {
  std::string name;
  std::vector<Node> nodes;
  std::vector<ValueInfo> inputs;
  std::vector<ValueInfo> outputs;
  std::vector<ValueInfo> value_info;
  std::map<std::string, Tensor> initializers;
  // Names of inputs that are also initializers (overridable defaults) are in both.
};

struct Model {
  std::string path;  // file it came from, "" for memory
  int64_t ir_version = 0;
  std::string producer_name;
  std::string producer_version;
  std::string doc_string;
  std::map<std::string, int64_t> opsets;  // domain ("" = ai.onnx) -> version
  std::map<std::string, std::string> metadata;
  std::shared_ptr<Graph> graph;

  int64_t opset_for(const std::string& domain) const;
};

// Normalizes "ai.onnx" to "" so both spellings of the default domain match.
std::string canonical_domain(const std::string& domain);

// Names a graph (and its nested subgraphs) reads without defining them: values it
// captures from enclosing scopes. Sorted.
std::vector<std::string> free_variables(const Graph& g);

// Returns node indices in an order where every node comes after the producers of its
// inputs. `outer_values` are names visible from enclosing graphs (for subgraphs).
// Throws Error(Stage::Load) on a cycle, an undefined input, or a value produced twice.
std::vector<size_t> topological_order(const Graph& g,
                                      const std::vector<std::string>& outer_values = {});

}  // namespace onnxi
