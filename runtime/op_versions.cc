#include "runtime/op_versions.h"

#include <algorithm>
#include <map>
#include <utility>

#include "ir/graph.h"

namespace onnxi {
namespace {

struct Table {
  std::vector<OpSchemaEntry> entries;
  std::map<std::pair<std::string, std::string>, size_t> index;
  std::map<std::string, int64_t> max_opset;
  std::map<std::pair<std::string, std::string>, int64_t> deprecated;
};

const Table& table() {
  static const Table t = [] {
    Table t;
#define ONNXI_OPSET_DOMAIN(domain, max) t.max_opset[domain] = max;
#define ONNXI_OP_VERSIONS(domain, op, ...) t.entries.push_back({domain, op, {__VA_ARGS__}});
#define ONNXI_OP_DEPRECATED(domain, op, version) t.deprecated[{domain, op}] = version;
#include "runtime/op_versions.inc"
#undef ONNXI_OPSET_DOMAIN
#undef ONNXI_OP_VERSIONS
#undef ONNXI_OP_DEPRECATED
    for (size_t i = 0; i < t.entries.size(); ++i) t.index[{t.entries[i].domain, t.entries[i].op_type}] = i;
    return t;
  }();
  return t;
}

}  // namespace

const std::vector<int64_t>* op_schema_versions(const std::string& domain, const std::string& op_type) {
  const Table& t = table();
  auto it = t.index.find({canonical_domain(domain), op_type});
  return it == t.index.end() ? nullptr : &t.entries[it->second].versions;
}

int64_t known_max_opset(const std::string& domain) {
  const Table& t = table();
  auto it = t.max_opset.find(canonical_domain(domain));
  return it == t.max_opset.end() ? 0 : it->second;
}

bool op_schema_deprecated(const std::string& domain, const std::string& op_type, int64_t version) {
  const Table& t = table();
  auto it = t.deprecated.find({canonical_domain(domain), op_type});
  return it != t.deprecated.end() && it->second == version;
}

SchemaResolution resolve_schema_version(const std::string& domain, const std::string& op_type, int64_t opset) {
  const std::vector<int64_t>* versions = op_schema_versions(domain, op_type);
  if (!versions) return {SchemaResolution::Kind::Unknown, opset};
  int64_t max = known_max_opset(domain);
  if (opset > max) return {SchemaResolution::Kind::TooNew, max};
  auto it = std::upper_bound(versions->begin(), versions->end(), opset);
  if (it == versions->begin()) return {SchemaResolution::Kind::NotYet, versions->front()};
  return {SchemaResolution::Kind::Resolved, *(it - 1)};
}

const std::vector<OpSchemaEntry>& op_schema_table() { return table().entries; }

}  // namespace onnxi
