#include "onnx/loader.h"

#include <google/protobuf/io/coded_stream.h>
// onnx_pb.h defines ONNX_API, which onnx-ml.pb.h needs, then includes onnx-ml.pb.h.
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <unordered_map>
#include <unordered_set>

#include "onnx/model_scan.h"
#include "onnx/tensor_proto.h"
#include "ir/file_util.h"

namespace onnxi {

namespace {

// Every tag a ModelProto written in field order can start with: fields 1-8 and 14 use one
// tag byte; 20 (training_info) and 25 (functions) use two, the first being 0xa2 / 0xca.
bool plausible_model_start(const unsigned char* p, size_t size) {
  if (size == 0) return false;
  switch (p[0]) {
    case 0x08:
    case 0x12:
    case 0x1a:
    case 0x22:
    case 0x28:
    case 0x32:
    case 0x3a:
    case 0x42:
    case 0x72:
      return true;
    case 0xa2:
    case 0xca:
      return size > 1 && p[1] == 0x01;
    default:
      return false;
  }
}

std::string type_to_string(const onnx::TypeProto& t);

std::string elem_to_string(int32_t code) {
  auto dt = dtype_from_onnx(code);
  return dt ? std::string(dtype_name(*dt)) : "type" + std::to_string(code);
}

std::string type_to_string(const onnx::TypeProto& t) {
  switch (t.value_case()) {
    case onnx::TypeProto::kTensorType:
      return "tensor(" + elem_to_string(t.tensor_type().elem_type()) + ")";
    case onnx::TypeProto::kSparseTensorType:
      return "sparse_tensor(" + elem_to_string(t.sparse_tensor_type().elem_type()) + ")";
    case onnx::TypeProto::kSequenceType:
      return "seq(" + type_to_string(t.sequence_type().elem_type()) + ")";
    case onnx::TypeProto::kOptionalType:
      return "optional(" + type_to_string(t.optional_type().elem_type()) + ")";
    case onnx::TypeProto::kMapType:
      return "map(" + elem_to_string(t.map_type().key_type()) + "," +
             type_to_string(t.map_type().value_type()) + ")";
    case onnx::TypeProto::kOpaqueType:
      return "opaque(" + t.opaque_type().domain() + "," + t.opaque_type().name() + ")";
    case onnx::TypeProto::VALUE_NOT_SET:
      break;
  }
  return "unknown";
}

class Loader {
 public:
  Loader(const LoadOptions& options, std::string file, std::string base_dir)
      : options_(options), file_(std::move(file)) {
    tensor_options_.stage = Stage::Load;
    tensor_options_.file = file_;
    tensor_options_.max_tensor_bytes = options.max_tensor_bytes;
    tensor_options_.external_base_dir = std::move(base_dir);
  }

  // Parses the bytes into `mp`; the bytes are not needed afterwards.
  void parse(const void* data, size_t size, onnx::ModelProto* mp) const { parse(data, size, data, size, mp); }
  // The same for `data`, a copy of the model's bytes `original` with parts left out:
  // errors are judged and reported as if `original` had been parsed.
  void parse(const void* data, size_t size, const void* original, size_t original_size,
             onnx::ModelProto* mp) const;
  // The error for bytes that are not valid protobuf wire format.
  [[noreturn]] void fail_unparsable(const void* data, size_t size) const {
    if (plausible_model_start(static_cast<const unsigned char*>(data), size))
      fail("cannot parse the model: the protobuf data is truncated or corrupt");
    fail("not an ONNX model: the data is not a ModelProto protobuf");
  }

  // The top-level graph's initializers were parsed without their raw_data, which is in
  // `file` at `ranges` (one per initializer); convert() reads it from there into the
  // tensors. Both must outlive convert().
  void take_raw_data_from(const detail::MappedFile* file, const std::vector<detail::RawDataRange>* ranges) {
    raw_file_ = file;
    raw_ranges_ = ranges;
  }

  // Converts a parsed model, releasing the initializers' bytes from `mp` as it goes.
  Model convert(onnx::ModelProto& mp) {
    Model m;
    convert_header(mp, &m);
    m.graph = convert_graph(*mp.mutable_graph(), 0);
    return m;
  }

 private:
  [[noreturn]] void fail(const std::string& message) const {
    ErrorContext ctx;
    ctx.file = file_;
    throw Error(Stage::Load, detail::printable(message), ctx);
  }

  void convert_header(const onnx::ModelProto& mp, Model* m) {
    if (!mp.has_ir_version() || mp.ir_version() < 1) fail("model has no ir_version");
    m->ir_version = mp.ir_version();
    m->producer_name = mp.producer_name();
    m->producer_version = mp.producer_version();
    m->doc_string = mp.doc_string();
    for (const auto& op : mp.opset_import()) {
      std::string domain = canonical_domain(op.domain());
      std::string shown = domain.empty() ? "ai.onnx" : domain;
      if (op.version() < 1)
        fail("opset_import for domain '" + shown + "' has invalid version " + std::to_string(op.version()));
      // A repeated entry with the same version is harmless (skl2onnx writes them, and
      // onnx.checker accepts them); two different versions for one domain are not.
      auto [it, added] = m->opsets.emplace(domain, op.version());
      if (!added && it->second != op.version())
        fail("opset_import lists domain '" + shown + "' twice, with versions " + std::to_string(it->second) +
             " and " + std::to_string(op.version()));
    }
    if (m->opsets.empty()) {
      // opset_import arrived with IR version 3; older models implicitly use ai.onnx opset 1.
      if (m->ir_version >= 3)
        fail("model has no opset_import (required since IR version 3; this model is IR version " +
             std::to_string(m->ir_version) + ")");
      m->opsets[""] = 1;
    }
    for (const auto& kv : mp.metadata_props())
      if (!m->metadata.emplace(kv.key(), kv.value()).second)
        fail("metadata_props has key '" + kv.key() + "' more than once");
    opsets_ = &m->opsets;
  }

  ValueInfo convert_value_info(const onnx::ValueInfoProto& p, const std::string& role) const {
    ValueInfo vi;
    vi.name = p.name();
    if (vi.name.empty()) fail(role + " has no name");
    auto elem = [&](int32_t code) {
      auto dt = dtype_from_onnx(code);
      if (!dt) fail(role + " '" + vi.name + "' has unknown element type " + std::to_string(code));
      return *dt;
    };
    auto shape = [&](bool has, const onnx::TensorShapeProto& s) {
      vi.has_shape = has;
      vi.shape.clear();
      if (!has) return;
      for (const auto& d : s.dim()) {
        Dim dim;
        if (d.has_dim_value() && d.dim_value() >= 0) dim.value = d.dim_value();  // < 0: treat as unknown
        if (d.has_dim_param()) dim.symbol = d.dim_param();
        vi.shape.push_back(std::move(dim));
      }
    };
    // Sequences, optionals and maps keep their kind and record the innermost tensor's
    // element type and shape (a map's value type; its key type is not kept).
    const onnx::TypeProto* t = &p.type();
    bool outer = true;
    for (int guard = 0; guard < 64; ++guard) {
      switch (t->value_case()) {
        case onnx::TypeProto::kTensorType:
          if (outer) vi.kind = "tensor";
          vi.dtype = elem(t->tensor_type().elem_type());
          shape(t->tensor_type().has_shape(), t->tensor_type().shape());
          return vi;
        case onnx::TypeProto::kSparseTensorType:
          if (outer) vi.kind = "sparse_tensor";
          vi.dtype = elem(t->sparse_tensor_type().elem_type());
          shape(t->sparse_tensor_type().has_shape(), t->sparse_tensor_type().shape());
          return vi;
        case onnx::TypeProto::kSequenceType:
          if (outer) vi.kind = "sequence";
          t = &t->sequence_type().elem_type();
          break;
        case onnx::TypeProto::kOptionalType:
          if (outer) vi.kind = "optional";
          t = &t->optional_type().elem_type();
          break;
        case onnx::TypeProto::kMapType:
          if (outer) vi.kind = "map";
          t = &t->map_type().value_type();
          break;
        case onnx::TypeProto::kOpaqueType:
          if (outer) vi.kind = "opaque";
          return vi;
        case onnx::TypeProto::VALUE_NOT_SET:
          return vi;  // type unknown (allowed for value_info and some subgraph outputs)
      }
      outer = false;
    }
    fail(role + " '" + vi.name + "' has a type nested too deeply");
  }

  std::shared_ptr<Graph> convert_graph(onnx::GraphProto& gp, int depth) {
    auto g = std::make_shared<Graph>();
    g->name = gp.name();

    std::unordered_set<std::string> graph_inputs;
    for (const auto& in : gp.input()) {
      g->inputs.push_back(convert_value_info(in, "graph input"));
      if (!graph_inputs.insert(in.name()).second)
        fail("graph input '" + in.name() + "' is declared more than once");
    }

    // Only the top-level graph's initializers can have their raw_data in the file.
    const std::vector<detail::RawDataRange>* ranges = depth == 0 ? raw_ranges_ : nullptr;
    if (ranges && ranges->size() != static_cast<size_t>(gp.initializer_size()))
      fail("internal error: " + std::to_string(ranges->size()) + " initializers found in the file, but " +
           std::to_string(gp.initializer_size()) + " parsed");
    for (int i = 0; i < gp.initializer_size(); ++i) {
      onnx::TensorProto& tp = *gp.mutable_initializer(i);
      if (tp.name().empty()) fail("initializer #" + std::to_string(i) + " has no name");
      if (g->initializers.count(tp.name()))
        fail("initializer '" + tp.name() + "' is declared more than once");
      const detail::RawDataRange* raw = ranges ? &(*ranges)[static_cast<size_t>(i)] : nullptr;
      if (raw && raw->present) {
        auto read = [&](void* dst) { raw_file_->read(raw->offset, raw->size, dst, Stage::Load); };
        g->initializers.emplace(tp.name(), detail::tensor_from_proto(tp, raw->size, read, tensor_options_));
        continue;
      }
      g->initializers.emplace(tp.name(), detail::tensor_from_proto(tp, tensor_options_));
      // The Tensor has its own copy: free this one now (clear() alone keeps the capacity)
      // so that peak memory stays near one copy of the weights.
      std::string().swap(*tp.mutable_raw_data());
      tp.clear_raw_data();
    }
    for (const auto& sp : gp.sparse_initializer()) {
      const std::string& name = sp.values().name();
      if (name.empty()) fail("sparse initializer has no name (values.name is empty)");
      if (g->initializers.count(name)) fail("initializer '" + name + "' is declared more than once");
      g->initializers.emplace(name, detail::sparse_tensor_to_dense(sp, tensor_options_));
    }

    std::unordered_map<std::string, size_t> producer;  // node output -> node index
    for (int i = 0; i < gp.node_size(); ++i) {
      g->nodes.push_back(convert_node(*gp.mutable_node(i), static_cast<size_t>(i), depth));
      const Node& n = g->nodes.back();
      for (const auto& out : n.outputs) {
        if (out.empty()) continue;
        auto [it, fresh] = producer.emplace(out, static_cast<size_t>(i));
        if (!fresh)
          fail("value '" + out + "' is produced by both " + node_label(g->nodes[it->second], it->second) +
               " and " + node_label(n, static_cast<size_t>(i)));
        if (graph_inputs.count(out))
          fail(node_label(n, static_cast<size_t>(i)) + " output '" + out + "' redefines a graph input");
        if (g->initializers.count(out))
          fail(node_label(n, static_cast<size_t>(i)) + " output '" + out + "' redefines an initializer");
      }
    }

    std::unordered_set<std::string> seen;
    for (const auto& out : gp.output()) {
      g->outputs.push_back(convert_value_info(out, "graph output"));
      if (!seen.insert(out.name()).second)
        fail("graph output '" + out.name() + "' is declared more than once");
    }
    seen.clear();
    for (const auto& vi : gp.value_info()) {
      g->value_info.push_back(convert_value_info(vi, "value_info"));
      if (!seen.insert(vi.name()).second) fail("value_info for '" + vi.name() + "' is given more than once");
    }
    return g;
  }

  static std::string node_label(const Node& n, size_t index) {
    return "node '" + (n.name.empty() ? "#" + std::to_string(index) : n.name) + "' (" + n.op_type + ")";
  }

  Node convert_node(onnx::NodeProto& np, size_t index, int depth) {
    Node n;
    n.name = np.name();
    n.op_type = np.op_type();
    n.domain = canonical_domain(np.domain());
    ErrorContext ctx;
    ctx.file = file_;
    ctx.node = n.name.empty() ? "#" + std::to_string(index) : detail::printable(n.name, 200);
    ctx.op_type = detail::printable(n.op_type, 200);
    ctx.domain = detail::printable(n.domain, 200);
    try {
      if (n.op_type.empty()) fail("node has no op_type");
      if (!opsets_->count(n.domain))
        fail("node uses domain '" + n.domain + "', which the model does not list in opset_import");
      n.inputs.assign(np.input().begin(), np.input().end());
      n.outputs.assign(np.output().begin(), np.output().end());
      for (int i = 0; i < np.attribute_size(); ++i) {
        Attribute a = convert_attribute(*np.mutable_attribute(i), depth);
        std::string name = a.name;
        if (!n.attributes.emplace(name, std::move(a)).second)
          fail("attribute '" + name + "' is given more than once");
      }
    } catch (const Error& e) {
      throw e.with_context(ctx);
    }
    return n;
  }

  // Old writers leave `type` unset; tell the kind from the field that holds a value.
  static onnx::AttributeProto::AttributeType guess_type(const onnx::AttributeProto& a) {
    using A = onnx::AttributeProto;
    if (a.has_f()) return A::FLOAT;
    if (a.has_i()) return A::INT;
    if (a.has_s()) return A::STRING;
    if (a.has_t()) return A::TENSOR;
    if (a.has_g()) return A::GRAPH;
    if (a.has_sparse_tensor()) return A::SPARSE_TENSOR;
    if (a.has_tp()) return A::TYPE_PROTO;
    if (a.floats_size()) return A::FLOATS;
    if (a.ints_size()) return A::INTS;
    if (a.strings_size()) return A::STRINGS;
    if (a.tensors_size()) return A::TENSORS;
    if (a.graphs_size()) return A::GRAPHS;
    if (a.sparse_tensors_size()) return A::SPARSE_TENSORS;
    if (a.type_protos_size()) return A::TYPE_PROTOS;
    return A::UNDEFINED;
  }

  std::shared_ptr<Graph> convert_subgraph(onnx::GraphProto& gp, int depth, const std::string& attr) {
    if (depth + 1 > options_.max_subgraph_depth)
      fail("attribute '" + attr + "': subgraphs are nested more than " +
           std::to_string(options_.max_subgraph_depth) + " levels deep");
    return convert_graph(gp, depth + 1);
  }

  Attribute convert_attribute(onnx::AttributeProto& ap, int depth) {
    using A = onnx::AttributeProto;
    Attribute a;
    a.name = ap.name();
    if (a.name.empty()) fail("attribute has no name");
    if (!ap.ref_attr_name().empty())
      fail("attribute '" + a.name + "' refers to function attribute '" + ap.ref_attr_name() +
           "', which is only allowed inside a function body");
    auto type = ap.type() == A::UNDEFINED ? guess_type(ap) : ap.type();
    // Tensor errors get the attribute's name in front; subgraph errors already name
    // the inner node that failed.
    auto tensor = [&](const onnx::TensorProto& t) {
      try {
        return detail::tensor_from_proto(t, tensor_options_);
      } catch (const Error& e) {
        throw Error(e.stage(), detail::printable("attribute '" + a.name + "': " + e.message()), e.context());
      }
    };
    auto sparse = [&](const onnx::SparseTensorProto& t) {
      try {
        return detail::sparse_tensor_to_dense(t, tensor_options_);
      } catch (const Error& e) {
        throw Error(e.stage(), detail::printable("attribute '" + a.name + "': " + e.message()), e.context());
      }
    };
    switch (type) {
      case A::FLOAT:
        a.kind = Attribute::Kind::Float;
        a.f = ap.f();
        break;
      case A::INT:
        a.kind = Attribute::Kind::Int;
        a.i = ap.i();
        break;
      case A::STRING:
        a.kind = Attribute::Kind::String;
        a.s = ap.s();
        break;
      case A::TENSOR:
        a.kind = Attribute::Kind::Tensor;
        a.t = tensor(ap.t());
        break;
      case A::SPARSE_TENSOR:
        a.kind = Attribute::Kind::Tensor;
        a.t = sparse(ap.sparse_tensor());
        break;
      case A::GRAPH:
        a.kind = Attribute::Kind::Graph;
        a.g = convert_subgraph(*ap.mutable_g(), depth, a.name);
        break;
      case A::TYPE_PROTO:
        a.kind = Attribute::Kind::TypeProto;
        a.s = type_to_string(ap.tp());
        break;
      case A::FLOATS:
        a.kind = Attribute::Kind::Floats;
        a.floats.assign(ap.floats().begin(), ap.floats().end());
        break;
      case A::INTS:
        a.kind = Attribute::Kind::Ints;
        a.ints.assign(ap.ints().begin(), ap.ints().end());
        break;
      case A::STRINGS:
        a.kind = Attribute::Kind::Strings;
        a.strings.assign(ap.strings().begin(), ap.strings().end());
        break;
      case A::TENSORS:
        a.kind = Attribute::Kind::Tensors;
        for (const auto& t : ap.tensors()) a.tensors.push_back(tensor(t));
        break;
      case A::SPARSE_TENSORS:
        a.kind = Attribute::Kind::Tensors;
        for (const auto& t : ap.sparse_tensors()) a.tensors.push_back(sparse(t));
        break;
      case A::GRAPHS:
        a.kind = Attribute::Kind::Graphs;
        for (auto& g : *ap.mutable_graphs()) a.graphs.push_back(convert_subgraph(g, depth, a.name));
        break;
      case A::TYPE_PROTOS:
        a.kind = Attribute::Kind::TypeProto;
        for (const auto& t : ap.type_protos()) a.strings.push_back(type_to_string(t));
        break;
      case A::UNDEFINED:
        fail("attribute '" + a.name + "' has no type and no value");
    }
    return a;
  }

  const LoadOptions& options_;
  std::string file_;
  detail::TensorReadOptions tensor_options_;
  const std::map<std::string, int64_t>* opsets_ = nullptr;
  const detail::MappedFile* raw_file_ = nullptr;
  const std::vector<detail::RawDataRange>* raw_ranges_ = nullptr;
};

void Loader::parse(const void* data, size_t size, const void* original, size_t original_size,
                   onnx::ModelProto* mp) const {
  if (original_size == 0) fail("model is empty (0 bytes)");
  if (original_size > static_cast<size_t>(INT_MAX))
    fail("model is " + std::to_string(original_size) +
         " bytes; protobuf cannot parse more than 2 GiB, so large weights must be stored as external data");
  google::protobuf::io::CodedInputStream in(static_cast<const unsigned char*>(data), static_cast<int>(size));
  in.SetTotalBytesLimit(INT_MAX);
  // Each subgraph level nests three messages (Graph -> Node -> Attribute -> Graph);
  // let the subgraph depth limit, not protobuf's default of 100, decide.
  in.SetRecursionLimit(std::clamp(options_.max_subgraph_depth, 0, 1000) * 4 + 32);
  if (!mp->ParseFromCodedStream(&in) || !in.ConsumedEntireMessage()) fail_unparsable(original, original_size);
  if (!mp->has_graph()) {
    if (!mp->has_ir_version() && mp->opset_import_size() == 0)
      fail("not an ONNX model: it has no ir_version, opset_import or graph");
    fail("model has no graph");
  }
}

}  // namespace

Model load_model_file(const std::string& path, const LoadOptions& options) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  Loader loader(options, path, dir.empty() ? "." : dir);
  // protobuf parses at most 2 GiB; bigger models keep their weights in external data.
  detail::MappedFile file = detail::map_whole_file(path, Stage::Load, static_cast<size_t>(INT_MAX));
  if (file.size() == 0) {
    ErrorContext ctx;
    ctx.file = path;
    throw Error(Stage::Load, "file is empty", ctx);
  }
  // protobuf parses the model without the initializers' raw_data, which is then read
  // from the file straight into the tensors: one copy of the weights rather than three.
  // (Reading rather than copying from the mapping keeps the file's pages out of this
  // process: on VMs where mapping 4 KiB pages is slow, that makes the copy 2x faster.)
  onnx::ModelProto mp;
  detail::StrippedModel stripped;
  switch (detail::strip_initializer_raw_data(file.data(), file.size(), &stripped)) {
    case detail::ScanResult::kMalformed:
      loader.fail_unparsable(file.data(), file.size());
    case detail::ScanResult::kOk:
      if (stripped.removed_bytes > 0) {
        loader.parse(stripped.bytes.data(), stripped.bytes.size(), file.data(), file.size(), &mp);
        std::string().swap(stripped.bytes);
        if (mp.graph().initializer_size() == static_cast<int>(stripped.raw_data.size())) {
          loader.take_raw_data_from(&file, &stripped.raw_data);
          file.unmap();  // the scan and the parse are done with it
          break;
        }
        mp.Clear();  // cannot happen; but if it did, the whole parse below is still right
      }
      [[fallthrough]];
    case detail::ScanResult::kUnsupported:
      loader.parse(file.data(), file.size(), &mp);
      file = detail::MappedFile();  // mp has its own copy of everything
      break;
  }
  Model m = loader.convert(mp);
  m.path = path;
  return m;
}

Model load_model_bytes(const void* data, size_t size, const std::string& name, const std::string& base_dir,
                       const LoadOptions& options) {
  Loader loader(options, name, base_dir);
  onnx::ModelProto mp;
  loader.parse(data, size, &mp);
  return loader.convert(mp);
}

}  // namespace onnxi
