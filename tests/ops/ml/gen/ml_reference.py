#!/usr/bin/env python3
"""Expected values of tests/ops/ml/test_ml.cc that are not worked out by hand: each case is
one ai.onnx.ml node run once with ONNX's reference evaluator (onnx 1.23.1). Run with the
project's venv python; prints the outputs, which the test lists as they are."""

import numpy as np
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator
from onnx.reference.ops.aionnxml import op_svm_classifier as svm_module


def libsvm_multiclass_probability(k, R):
    """The reference's pairwise coupling with libsvm's Q matrix. The reference (onnx 1.23.1)
    sets the whole row slice Q[t, t+1:] to one dot product, -R[t+1:, t] @ R[t, t+1:], where
    libsvm (hence scikit-learn and ONNX Runtime) has the element-wise -R[j, t] * R[t, j];
    the two agree for two classes only. onnxi follows libsvm, so this case does too."""
    max_iter = max(100, k)
    Q = np.empty((k, k))
    Qp = np.empty((k,))
    P = np.full((k,), 1.0 / k)
    eps = 0.005 / k
    for t in range(k):
        Q[t, t] = (R[:t, t] ** 2).sum() + (R[t + 1:, t] ** 2).sum()
        Q[t, :t] = Q[:t, t]
        Q[t, t + 1:] = -R[t + 1:, t] * R[t, t + 1:]
    for _ in range(max_iter):
        Qp[:] = Q @ P
        pQp = (P * Qp).sum()
        if np.abs(Qp - pQp).max() < eps:
            break
        for t in range(k):
            diff = (-Qp[t] + pQp) / Q[t, t]
            P[t] += diff
            pQp = (pQp + diff * (diff * Q[t, t] + 2 * Qp[t])) / (1 + diff) ** 2
            P /= 1 + diff
            Qp[:] = (Qp + diff * Q[t, :]) / (1 + diff)
    return P


svm_module.multiclass_probability = libsvm_multiclass_probability


def run(op, inputs, n_out, opset=1, **attrs):
    ins = [helper.make_tensor_value_info("x%d" % i, TensorProto.FLOAT, None) for i in range(len(inputs))]
    outs = [helper.make_value_info("y%d" % i, helper.TypeProto()) for i in range(n_out)]
    node = helper.make_node(op, [i.name for i in ins], [o.name for o in outs], domain="ai.onnx.ml", **attrs)
    model = helper.make_model(helper.make_graph([node], "g", ins, outs),
                              opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", opset)])
    res = ReferenceEvaluator(model).run(None, {"x%d" % i: v for i, v in enumerate(inputs)})
    return res


def show(name, res):
    print(name)
    for r in res:
        print("  ", np.array2string(np.asarray(r).ravel(), separator=", ", precision=9, max_line_width=200))


X = np.array([[0.5, -1.0], [2.0, 0.25], [-1.5, 3.0]], dtype=np.float32)

# Two trees over three classes; tree 0 splits on feature 0, tree 1 on feature 1.
show("tree classifier softmax", run(
    "TreeEnsembleClassifier", [X], 2,
    nodes_treeids=[0, 0, 0, 1, 1, 1], nodes_nodeids=[0, 1, 2, 0, 1, 2], nodes_featureids=[0, 0, 0, 1, 1, 1],
    nodes_modes=["BRANCH_LEQ", "LEAF", "LEAF", "BRANCH_LT", "LEAF", "LEAF"],
    nodes_values=[1.0, 0, 0, 0.25, 0, 0], nodes_truenodeids=[1, 0, 0, 1, 0, 0], nodes_falsenodeids=[2, 0, 0, 2, 0, 0],
    class_treeids=[0, 0, 0, 1, 1], class_nodeids=[1, 1, 2, 1, 2], class_ids=[0, 1, 2, 1, 2],
    class_weights=[0.5, 0.25, 1.0, 0.75, -0.5], classlabels_int64s=[10, 20, 30], base_values=[0.1, 0.0, -0.1],
    post_transform="SOFTMAX"))

# RBF kernel, three classes, one support vector each, Platt probabilities (libsvm coupling).
show("svm classifier rbf probabilities", run(
    "SVMClassifier", [X], 2, kernel_type="RBF", kernel_params=[0.5, 0.0, 3.0],
    support_vectors=[0.0, 0.0, 2.0, 1.0, -1.0, 2.0], vectors_per_class=[1, 1, 1],
    coefficients=[1.0, 0.8, -0.6, -1.0, -0.7, 0.9], rho=[0.1, -0.2, 0.05],
    prob_a=[-2.0, -1.5, -1.8], prob_b=[0.1, -0.2, 0.05], classlabels_ints=[0, 1, 2]))

# The same without probabilities: one-vs-one decision values, labels by votes.
show("svm classifier rbf votes", run(
    "SVMClassifier", [X], 2, kernel_type="RBF", kernel_params=[0.5, 0.0, 3.0],
    support_vectors=[0.0, 0.0, 2.0, 1.0, -1.0, 2.0], vectors_per_class=[1, 1, 1],
    coefficients=[1.0, 0.8, -0.6, -1.0, -0.7, 0.9], rho=[0.1, -0.2, 0.05], classlabels_strings=["a", "b", "c"]))

# Binary linear-kernel SVC with one rho: [-s, s] scores, labels by the sign.
show("svm classifier binary poly", run(
    "SVMClassifier", [X], 2, kernel_type="POLY", kernel_params=[0.5, 1.0, 2.0],
    support_vectors=[0.0, 1.0, 1.0, -1.0, 2.0, 0.5], vectors_per_class=[2, 1],
    coefficients=[0.7, -0.4, -0.3], rho=[0.2], classlabels_ints=[4, 7]))

show("svm regressor sigmoid", run(
    "SVMRegressor", [X], 1, kernel_type="SIGMOID", kernel_params=[0.3, -0.1, 0.0],
    support_vectors=[0.0, 1.0, 1.0, -1.0], n_supports=2, coefficients=[0.7, -0.4], rho=[0.25]))

show("linear classifier softmax_zero", run(
    "LinearClassifier", [X], 2, coefficients=[1.0, 0.0, 0.0, 0.0, -1.0, 2.0], intercepts=[0.0, 0.0, 0.5],
    classlabels_strings=["x", "y", "z"], post_transform="SOFTMAX_ZERO"))

show("linear classifier probit", run(
    "LinearClassifier", [np.array([[0.1, 0.2], [0.3, -0.1]], dtype=np.float32)], 2,
    coefficients=[0.5, 0.25, -0.5, 1.0], intercepts=[0.5, 0.4], classlabels_ints=[1, 2], post_transform="PROBIT"))
