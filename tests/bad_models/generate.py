#!/usr/bin/env python3
"""Writes the bad-input catalogue: one small model (plus input files) per failure mode
that onnxi must reject with a clear one-line error, and cases.tsv listing, per case, the
`onnxi run` arguments, any environment, and the text the error must contain.

    generate.py OUT_DIR

The models are built with onnx.helper, some then edited at the protobuf level into shapes
that onnx's own checker would refuse (that is the point). tests/bad_models/check.sh runs
the catalogue. Add a case by appending to CASES below.
"""
import os
import sys

import numpy as np
import onnx
from onnx import AttributeProto, TensorProto, helper, numpy_helper

OPSET = 13
F = TensorProto.FLOAT
I64 = TensorProto.INT64


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def model(nodes, inputs, outputs, inits=(), opset=OPSET, name="g"):
    g = helper.make_graph(nodes, name, inputs, outputs, initializer=list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="bad_models")
    m.ir_version = 8
    return m


def raw_tensor(name, elem, dims, raw):
    t = TensorProto(name=name, data_type=elem, dims=dims)
    t.raw_data = raw
    return t


def identity_of(init):
    """Model whose output is initializer `init` passed through Identity."""
    return model([helper.make_node("Identity", [init.name], ["y"])], [], [vi("y", init.data_type, None)], [init])


def identity_of_two(a, b):
    m = identity_of(a)
    m.graph.initializer.append(b)
    return m


class Symlink(str):
    """An extra file that is a symbolic link to this target."""


def const_int64(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def const_float(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.float32), name)


def external(name, location, offset=None, length=None, dims=(4,)):
    t = TensorProto(name=name, data_type=F, dims=list(dims), data_location=TensorProto.EXTERNAL)
    for k, v in (("location", location), ("offset", offset), ("length", length)):
        if v is not None:
            e = t.external_data.add()
            e.key, e.value = k, str(v)
    return t


def nested_if(depth):
    """An If whose then-branch holds an If ... `depth` levels deep.

    Built top-down in place: copying a deep graph into a message (as helper.make_node and
    make_graph do) goes through protobuf's parser, whose depth limit (upb's 100) is below
    this nesting."""
    m = model([], [vi("c", TensorProto.BOOL, []), vi("x", F, [1])], [vi("y", F, [1])])
    node = m.graph.node.add(op_type="If", input=["c"], output=["y"])
    for level in range(depth - 1, -1, -1):
        leaf = node.attribute.add(name="else_branch", type=AttributeProto.GRAPH)
        leaf.g.name = "e%d" % level
        leaf.g.node.append(helper.make_node("Identity", ["x"], ["e%d" % level]))
        leaf.g.output.append(vi("e%d" % level, F, [1]))
        then = node.attribute.add(name="then_branch", type=AttributeProto.GRAPH)
        out = "v%d" % level
        then.g.name = "b%d" % level
        then.g.output.append(vi(out, F, [1]))
        if level == 0:
            then.g.node.append(helper.make_node("Identity", ["x"], [out]))
        else:
            node = then.g.node.add(op_type="If", input=["c"], output=[out])
    return m


def op_model(op, inputs, out_elem=F, attrs=None, opset=OPSET):
    """One node of `op` whose inputs are all initializers; `inputs` is a list of tensors."""
    node = helper.make_node(op, [t.name for t in inputs], ["y"], **(attrs or {}))
    return model([node], [], [vi("y", out_elem, None)], inputs, opset=opset)


def relu_model():
    return model([helper.make_node("Relu", ["x"], ["y"])], [vi("x", F, [2, 3])], [vi("y", F, [2, 3])])


# Each case: (name, builder, run arguments after the model, environment, expected text).
# A builder returns the model (a ModelProto or raw bytes), or (model, {file name: bytes or
# numpy array}) for extra files written next to it (arrays become TensorProto .pb files).
def cases():
    c = []

    def add(name, expect, build, args="", env=""):
        c.append((name, build, args, env, expect))

    # --- Tensor sizes and shapes
    add("dims_product_overflows", "too many elements",
        lambda: identity_of(TensorProto(name="w", data_type=F, dims=[1 << 32, 1 << 32, 1 << 32])))
    add("negative_dim", "negative",
        lambda: identity_of(raw_tensor("w", F, [-3], b"")))
    add("absurd_dim", "more than the limit",
        lambda: identity_of(raw_tensor("w", F, [1 << 61], b"\0" * 4)))
    add("float_data_count_mismatch", "float_data",
        lambda: identity_of(TensorProto(name="w", data_type=F, dims=[2, 3], float_data=[1.0] * 5)))
    add("raw_data_size_mismatch", "raw_data",
        lambda: identity_of(raw_tensor("w", F, [2], b"\0" * 7)))
    add("int64_data_count_mismatch", "int64_data",
        lambda: identity_of(TensorProto(name="w", data_type=I64, dims=[4], int64_data=[1, 2, 3])))
    add("runtime_shape_overflows", "is too large",
        lambda: op_model("ConstantOfShape", [const_int64("s", [1 << 40, 1 << 40])]))
    add("tensor_over_memory_cap", "memory limit",
        lambda: op_model("ConstantOfShape", [const_int64("s", [10000, 10000])]),
        env="ONNXI_MAX_TENSOR_BYTES=100000000")
    add("expand_over_memory_cap", "memory limit",
        lambda: op_model("Expand", [const_float("x", [1.0]), const_int64("s", [1 << 14, 1 << 14])]),
        env="ONNXI_MAX_TENSOR_BYTES=100000000")
    add("reshape_negative_dim", "reshape",
        lambda: op_model("Reshape", [const_float("x", [1, 2, 3, 4]), const_int64("s", [-2, 2])]))

    # --- The file itself
    def relu_bytes():
        return relu_model().SerializeToString()
    add("not_a_model", "not an ONNX model", lambda: b"this is not an ONNX model\n" * 10, args="--random")
    add("truncated_model", "truncated or corrupt", lambda: relu_bytes()[:len(relu_bytes()) // 2], args="--random")
    add("empty_model", "empty", lambda: b"", args="--random")

    def without(field):
        def build():
            m = relu_model()
            m.ClearField(field)
            return m
        return build
    add("no_ir_version", "no ir_version", without("ir_version"), args="--random")
    add("no_opset_import", "no opset_import", without("opset_import"), args="--random")
    add("duplicate_initializer", "declared more than once",
        lambda: identity_of_two(const_float("w", [1]), const_float("w", [2])))

    # --- External data
    add("external_data_escapes_dir", "may not contain '..'",
        lambda: (identity_of(external("w", "../outside.bin")), {}))
    add("external_data_absolute_path", "absolute",
        lambda: (identity_of(external("w", "/etc/passwd")), {}))
    add("external_data_missing_file", "missing.bin",
        lambda: (identity_of(external("w", "missing.bin")), {}))
    add("external_data_past_end", "weights.bin",
        lambda: (identity_of(external("w", "weights.bin", offset=8, length=16)), {"weights.bin": b"\0" * 12}))
    add("external_data_symlink_outside", "outside the model's directory",
        lambda: (identity_of(external("w", "link.bin", length=16)), {"link.bin": Symlink("/usr/share")}))
    add("external_data_is_directory", "external data file 'sub'",
        lambda: (identity_of(external("w", "sub", length=16)), {"sub/placeholder": b""}))
    add("external_data_wrong_length", "has 12 bytes, expected 16",
        lambda: (identity_of(external("w", "weights.bin", length=12)), {"weights.bin": b"\0" * 64}))

    # --- Graph structure
    add("cycle", "cycle",
        lambda: model([helper.make_node("Relu", ["b"], ["a"]), helper.make_node("Relu", ["a"], ["b"]),
                       helper.make_node("Relu", ["b"], ["y"])], [], [vi("y", F, None)]))
    add("duplicate_node_output", "produced by both",
        lambda: model([helper.make_node("Relu", ["x"], ["y"]), helper.make_node("Neg", ["x"], ["y"])],
                      [vi("x", F, [2, 3])], [vi("y", F, [2, 3])]), args="--random")
    add("duplicate_graph_output", "more than once",
        lambda: model([helper.make_node("Relu", ["x"], ["y"])], [vi("x", F, [2, 3])],
                      [vi("y", F, [2, 3]), vi("y", F, [2, 3])]), args="--random")
    add("undefined_input", "undefined value 'nowhere'",
        lambda: model([helper.make_node("Add", ["x", "nowhere"], ["y"])], [vi("x", F, [2, 3])],
                      [vi("y", F, [2, 3])]), args="--random")
    add("output_never_produced", "never produced",
        lambda: model([helper.make_node("Relu", ["x"], ["y"])], [vi("x", F, [2, 3])],
                      [vi("z", F, [2, 3])]), args="--random")
    add("subgraphs_nested_too_deep", "nested more than 64",
        lambda: nested_if(70))
    add("unsupported_op", "unsupported",
        lambda: model([helper.make_node("NoSuchOp", ["x"], ["y"])], [vi("x", F, [2, 3])],
                      [vi("y", F, [2, 3])]), args="--random")
    add("domain_not_imported", "opset_import",
        lambda: model([helper.make_node("Relu", ["x"], ["y"], domain="com.example")], [vi("x", F, [2, 3])],
                      [vi("y", F, [2, 3])]), args="--random")

    # --- Attributes
    add("attribute_wrong_type", "perm",
        lambda: op_model("Transpose", [const_float("x", [[1, 2], [3, 4]])],
                         attrs={"perm": [1.0, 0.0]}))
    add("attribute_wrong_type_string", "axis",
        lambda: op_model("Gather", [const_float("x", [1, 2, 3]), const_int64("i", [0])],
                         attrs={"axis": "zero"}))
    add("attribute_out_of_range", "axis",
        lambda: op_model("Softmax", [const_float("x", [[1, 2], [3, 4]])], attrs={"axis": 7}))
    add("transpose_perm_repeats", "perm",
        lambda: op_model("Transpose", [const_float("x", [[1, 2], [3, 4]])], attrs={"perm": [0, 0]}))

    # --- Out-of-range indices (an error, never an out-of-bounds read or write)
    add("gather_index_out_of_range", "out of range",
        lambda: op_model("Gather", [const_float("x", [1, 2, 3]), const_int64("i", [1, 3])]))
    add("gather_negative_index_out_of_range", "out of range",
        lambda: op_model("Gather", [const_float("x", [1, 2, 3]), const_int64("i", [-4])]))
    add("gather_elements_index_out_of_range", "out of range",
        lambda: op_model("GatherElements", [const_float("x", [[1, 2], [3, 4]]), const_int64("i", [[0, 2]])]))
    add("gather_nd_index_out_of_range", "out of range",
        lambda: op_model("GatherND", [const_float("x", [[1, 2], [3, 4]]), const_int64("i", [[1, 5]])]))
    add("scatter_elements_index_out_of_range", "out of range",
        lambda: op_model("ScatterElements", [const_float("x", [1, 2, 3]), const_int64("i", [9]),
                                             const_float("u", [5])]))
    add("scatter_nd_index_out_of_range", "out of range",
        lambda: op_model("ScatterND", [const_float("x", [1, 2, 3]), const_int64("i", [[3]]),
                                       const_float("u", [5])]))
    add("slice_axis_out_of_range", "axis",
        lambda: op_model("Slice", [const_float("x", [[1, 2], [3, 4]]), const_int64("s", [0]), const_int64("e", [1]),
                                   const_int64("a", [4])]))
    add("slice_zero_step", "step",
        lambda: op_model("Slice", [const_float("x", [1, 2, 3]), const_int64("s", [0]), const_int64("e", [3]),
                                   const_int64("a", [0]), const_int64("p", [0])]))
    add("onehot_depth_negative", "depth",
        lambda: op_model("OneHot", [const_int64("i", [0, 1]), const_int64("d", [-2]), const_float("v", [0, 1])]))
    add("topk_k_too_large", "k",
        lambda: op_model("TopK", [const_float("x", [1, 2, 3]), const_int64("k", [5])]))

    # --- Run-time inputs
    def relu_with(files):
        return lambda: (relu_model(), files)
    x23 = np.zeros((2, 3), np.float32)
    add("input_unknown_name", "unknown input 'nosuch'", relu_with({"x.pb": x23}), args="--input nosuch=x.pb")
    add("input_wrong_dtype", "expects float32",
        relu_with({"x.pb": np.zeros((2, 3), np.int64)}), args="--input x=x.pb")
    add("input_wrong_shape", "expects [2,3]",
        relu_with({"x.pb": np.zeros((3, 2), np.float32)}), args="--input x=x.pb")
    add("input_wrong_rank", "expects [2,3]",
        relu_with({"x.pb": np.zeros((6,), np.float32)}), args="--input x=x.pb")
    add("input_missing", "missing input 'x'", relu_with({}), args="")
    add("input_file_truncated", "x.pb",
        relu_with({"x.pb": numpy_helper.from_array(x23).SerializeToString()[:-5]}), args="--input x=x.pb")
    add("input_npy_bad_header", "x.npy",
        relu_with({"x.npy": b"\x93NUMPY\x01\x00\x10\x00{'descr': '<f4'"}), args="--input x=x.npy")
    return c


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    lines = []
    for name, build, args, env, expect in cases():
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        made = build()
        m, files = made if isinstance(made, tuple) else (made, {})
        with open(os.path.join(d, "model.onnx"), "wb") as f:
            f.write(m if isinstance(m, bytes) else m.SerializeToString())
        for fname, content in files.items():
            path = os.path.join(d, fname)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if isinstance(content, Symlink):
                if os.path.lexists(path):
                    os.remove(path)
                os.symlink(str(content), path)
                continue
            if isinstance(content, np.ndarray):
                content = numpy_helper.from_array(content).SerializeToString()
            with open(path, "wb") as f:
                f.write(content)
        assert "|" not in args + env + expect
        lines.append("|".join([name, args, env, expect]))
    with open(os.path.join(out, "cases.tsv"), "w") as f:
        f.write("# name|args|env|expected error text\n" + "\n".join(lines) + "\n")
    print("wrote %d cases to %s" % (len(lines), out))


if __name__ == "__main__":
    main()
