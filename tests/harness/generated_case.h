// One-node test cases written by a generator script (tests/harness/gen_cases.py) with
// the ONNX reference evaluator's outputs, and the check that runs them through OpTester.
#pragma once
#include <limits>
#include <string>
#include <vector>

#include "tests/harness/op_tester.h"
#include "tests/harness/tensor_values.h"

namespace onnxi::test {

struct GeneratedCase {
  std::string name, domain;
  int64_t opset = 0;
  std::vector<Attribute> attrs;
  std::vector<Tensor> inputs;   // undefined: an omitted optional input
  std::vector<Tensor> outputs;  // the expected first outputs
};

// An OpTester for the case with its inputs known when running (or as constants).
inline OpTester generated_tester(const GeneratedCase& c, bool constants = false) {
  OpTester t(c.name.substr(0, c.name.find(':')), c.opset, c.domain);
  for (const Attribute& a : c.attrs) t.attr(a);
  for (const Tensor& x : c.inputs) {
    if (!x.defined())
      t.absent();
    else if (constants)
      t.constant(x);
    else
      t.input(x);
  }
  for (const Tensor& y : c.outputs) t.expect(y);
  return t;
}

}  // namespace onnxi::test
