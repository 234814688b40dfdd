#!/usr/bin/env python3
"""scikit-learn models converted with skl2onnx, run in onnxi, compared with scikit-learn.

    sklearn_models.py ONNXI [--ml-opset N] [--keep DIR]

Each model is trained on a seeded synthetic data set (sklearn.datasets, no downloads),
converted with skl2onnx (ai.onnx opset 17, ai.onnx.ml opset --ml-opset, default 1),
run with `onnxi run` on held-out rows written as .npy files, and compared with
scikit-learn: labels (and KMeans clusters) must be identical, probabilities within
PROB_TOL, regression outputs and KMeans distances within REG_RTOL of max |reference|.
Prints one line per model; exit status 0 only if every model passes.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import onnx
from onnx import numpy_helper

warnings.filterwarnings("ignore")

from sklearn.cluster import KMeans  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.datasets import make_classification, make_regression  # noqa: E402
from sklearn.ensemble import (  # noqa: E402
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402
from sklearn.svm import SVC  # noqa: E402
from skl2onnx import to_onnx  # noqa: E402
from skl2onnx.common.data_types import FloatTensorType, Int64TensorType, StringTensorType  # noqa: E402

PROB_TOL = 1e-5
REG_RTOL = 1e-5
SEED = 0


def classification(n_classes):
    X, y = make_classification(n_samples=400, n_features=8, n_informative=5, n_redundant=1,
                               n_classes=n_classes, random_state=SEED)
    return X.astype(np.float32), y


def regression():
    X, y = make_regression(n_samples=400, n_features=8, n_informative=5, noise=5.0, random_state=SEED)
    return X.astype(np.float32), y


def mixed(n_classes):
    """Numeric columns plus an integer and a string category column."""
    rng = np.random.default_rng(SEED)
    X, y = classification(n_classes)
    ints = rng.integers(0, 4, size=(len(X), 1)).astype(np.int64)
    strs = rng.choice(np.array(["red", "green", "blue"]), size=(len(X), 1))
    y = (y + (ints[:, 0] == 1) + (strs[:, 0] == "red")) % n_classes
    return X[:, :5], ints, strs, y


def read_pb_value(path, value_info):
    """A .pb output of onnxi: a SequenceProto (of maps: ZipMap) or a TensorProto."""
    with open(path, "rb") as f:
        data = f.read()
    if value_info.type.HasField("sequence_type"):
        seq = onnx.SequenceProto()
        seq.ParseFromString(data)
        return numpy_helper.to_list(seq)
    t = onnx.TensorProto()
    t.ParseFromString(data)
    return numpy_helper.to_array(t)


def run_onnxi(onnxi, model_path, feeds, tmp, tag, pb=False):
    out_dir = os.path.join(tmp, tag + "_out")
    args = [onnxi, "run", model_path, "-q", "--threads", "1", "--output-dir", out_dir]
    if pb:
        args += ["--output-format", "pb"]
    for name, value in feeds.items():
        if isinstance(value, dict):  # a map input: MapProto
            path = os.path.join(tmp, "%s_%s.pb" % (tag, name))
            m = onnx.MapProto(name=name, key_type=onnx.TensorProto.STRING,
                              string_keys=[k.encode() for k in value])
            m.values.elem_type = onnx.SequenceProto.TENSOR
            m.values.tensor_values.extend(numpy_helper.from_array(np.array(v, dtype=np.float32))
                                          for v in value.values())
            with open(path, "wb") as f:
                f.write(m.SerializeToString())
        elif value.dtype.kind in "UO":  # onnxi reads string tensors from .pb files
            path = os.path.join(tmp, "%s_%s.pb" % (tag, name))
            with open(path, "wb") as f:
                f.write(numpy_helper.from_array(value.astype(object), name).SerializeToString())
        else:
            path = os.path.join(tmp, "%s_%s.npy" % (tag, name))
            np.save(path, value)
        args += ["--input", "%s=%s" % (name, path)]
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise RuntimeError("onnxi run failed: %s" % p.stderr.strip())
    model = onnx.load(model_path)
    if pb:
        return [read_pb_value(os.path.join(out_dir, o.name + ".pb"), o) for o in model.graph.output]
    return [np.load(os.path.join(out_dir, o.name + ".npy")) for o in model.graph.output]


def convert(model, initial, ml_opset, options=None):
    kw = dict(target_opset={"": 17, "ai.onnx.ml": ml_opset}, options=options)
    if isinstance(initial, np.ndarray):
        return to_onnx(model, initial[:1], **kw)
    return to_onnx(model, initial_types=initial, **kw)


def no_zipmap(model):
    est = model.steps[-1][1] if isinstance(model, Pipeline) else model
    return {id(est): {"zipmap": False}}


def check_classifier(name, model, X_fit, y, feeds, X_eval, ml_opset, onnxi, tmp, initial=None):
    model.fit(X_fit, y)
    onx = convert(model, initial if initial is not None else X_fit, ml_opset, no_zipmap(model))
    path = os.path.join(tmp, name + ".onnx")
    onnx.save(onx, path)
    label, proba = run_onnxi(onnxi, path, feeds, tmp, name)
    want_label = model.predict(X_eval)
    want_proba = model.predict_proba(X_eval)
    agree = int((label.astype(want_label.dtype) == want_label).sum())
    diff = float(np.abs(proba.astype(np.float64) - want_proba).max())
    ok = agree == len(want_label) and proba.shape == want_proba.shape and diff <= PROB_TOL
    print("%-34s %s labels %d/%d, max |prob diff| %.2e" % (name, "PASS" if ok else "FAIL", agree, len(want_label), diff))
    return ok


def check_zipmap(name, model, X_fit, y, X_eval, ml_opset, onnxi, tmp):
    """The default conversion: probabilities as a sequence of maps (ZipMap) from class label
    (int64 or string) to probability."""
    model.fit(X_fit, y)
    path = os.path.join(tmp, name + ".onnx")
    onnx.save(convert(model, X_fit, ml_opset), path)
    label, maps = run_onnxi(onnxi, path, {"X": X_eval}, tmp, name, pb=True)
    want_label = model.predict(X_eval)
    want_proba = model.predict_proba(X_eval)
    classes = list(model.classes_)
    agree = int(sum(str(a) == str(b) for a, b in zip(label, want_label)))
    diff = 0.0
    keys_ok = len(maps) == len(want_label)
    for row, m in zip(want_proba, maps):
        keys = [k.decode() if isinstance(k, bytes) else k for k in m.keys()]
        keys_ok &= [str(k) for k in keys] == [str(c) for c in classes]
        diff = max(diff, float(np.abs(np.array(list(m.values()), dtype=np.float64) - row).max()))
    ok = keys_ok and agree == len(want_label) and diff <= PROB_TOL
    print("%-34s %s labels %d/%d, %d maps, keys %s, max |prob diff| %.2e" % (
        name, "PASS" if ok else "FAIL", agree, len(want_label), len(maps), "ok" if keys_ok else "WRONG", diff))
    return ok


def check_dict_vectorizer(ml_opset, onnxi, tmp):
    """DictVectorizer on one dictionary (a map input), then logistic regression."""
    from sklearn.feature_extraction import DictVectorizer
    from skl2onnx.common.data_types import DictionaryType

    X, y = classification(3)
    names = ["f%d" % i for i in range(X.shape[1])]
    rows = [{n: float(v) for n, v in zip(names, r) if abs(v) > 0.3} for r in X]
    model = Pipeline([("dict", DictVectorizer(sparse=False)), ("clf", LogisticRegression(max_iter=1000))])
    model.fit(rows[:300], y[:300])
    path = os.path.join(tmp, "dict_vectorizer.onnx")
    onx = convert(model, [("X", DictionaryType(StringTensorType([]), FloatTensorType([])))], ml_opset,
                  no_zipmap(model))
    onnx.save(onx, path)
    agree, diff = 0, 0.0
    for i, r in enumerate(rows[300:320]):
        label, proba = run_onnxi(onnxi, path, {"X": r}, tmp, "dict_vectorizer_%d" % i)
        agree += int(label.reshape(-1)[0] == model.predict([r])[0])
        diff = max(diff, float(np.abs(proba.reshape(-1) - model.predict_proba([r])[0]).max()))
    ok = agree == 20 and diff <= PROB_TOL
    print("%-34s %s labels %d/20, max |prob diff| %.2e" % ("dict_vectorizer_logreg", "PASS" if ok else "FAIL",
                                                           agree, diff))
    return ok


def check_regressor(name, model, X, y, X_eval, ml_opset, onnxi, tmp):
    model.fit(X, y)
    path = os.path.join(tmp, name + ".onnx")
    onnx.save(convert(model, X, ml_opset), path)
    (got,) = run_onnxi(onnxi, path, {"X": X_eval}, tmp, name)
    want = model.predict(X_eval)
    diff = float(np.abs(got.reshape(-1).astype(np.float64) - want).max())
    scale = float(np.abs(want).max())
    ok = diff <= REG_RTOL * scale
    print("%-34s %s max |diff| %.2e (%.2e of max |y| %.1f)" % (name, "PASS" if ok else "FAIL", diff, diff / scale, scale))
    return ok


def check_kmeans(X, X_eval, onnxi, tmp):
    model = KMeans(n_clusters=4, n_init=3, random_state=SEED).fit(X)
    path = os.path.join(tmp, "kmeans.onnx")
    onnx.save(to_onnx(model, X[:1], target_opset=17), path)
    label, dist = run_onnxi(onnxi, path, {"X": X_eval}, tmp, "kmeans")
    want_label, want_dist = model.predict(X_eval), model.transform(X_eval)
    agree = int((label == want_label).sum())
    diff = float(np.abs(dist - want_dist).max())
    scale = float(np.abs(want_dist).max())
    ok = agree == len(want_label) and diff <= REG_RTOL * scale
    print("%-34s %s labels %d/%d, max |distance diff| %.2e (%.2e of max %.1f)" % (
        "kmeans", "PASS" if ok else "FAIL", agree, len(want_label), diff, diff / scale, scale))
    return ok


def check_column_transformer(n_classes, ml_opset, onnxi, tmp):
    """StandardScaler on the numeric columns and OneHotEncoder on an int64 and a string
    column (ColumnTransformer), then logistic regression; also the transform alone."""
    num, ints, strs, y = mixed(n_classes)
    # scikit-learn sees one object array; skl2onnx maps its column indices onto the three
    # graph inputs in order (5 numeric columns, then the int64 one, then the string one).
    table = np.concatenate([num.astype(object), ints.astype(object), strs.astype(object)], axis=1)
    initial = [("num", FloatTensorType([None, 5])), ("cat_int", Int64TensorType([None, 1])),
               ("cat_str", StringTensorType([None, 1]))]
    fit, ev = slice(0, 300), slice(300, None)
    feeds = {"num": num[ev], "cat_int": ints[ev], "cat_str": strs[ev]}

    def columns():
        return ColumnTransformer([("num", StandardScaler(), [0, 1, 2, 3, 4]),
                                  ("int", OneHotEncoder(handle_unknown="ignore"), [5]),
                                  ("str", OneHotEncoder(handle_unknown="ignore"), [6])],
                                 sparse_threshold=0)

    ok = True
    prep = columns().fit(table[fit])
    path = os.path.join(tmp, "column_transformer.onnx")
    onnx.save(convert(prep, initial, ml_opset), path)
    (got,) = run_onnxi(onnxi, path, feeds, tmp, "column_transformer")
    want = prep.transform(table[ev]).astype(np.float64)
    diff = float(np.abs(got - want).max()) if got.shape == want.shape else float("inf")
    good = diff <= 1e-5
    print("%-34s %s max |diff| %.2e (shape %s)" % ("column_transformer", "PASS" if good else "FAIL", diff, got.shape))
    ok &= good
    model = Pipeline([("prep", columns()), ("clf", LogisticRegression(max_iter=1000))])
    ok &= check_classifier("column_transformer_logreg_%dclass" % n_classes, model, table[fit], y[fit], feeds,
                           table[ev], ml_opset, onnxi, tmp, initial=initial)
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("onnxi")
    ap.add_argument("--ml-opset", type=int, default=1)
    ap.add_argument("--keep", help="write the models and files here instead of a temporary directory")
    a = ap.parse_args()
    tmp_ctx = tempfile.TemporaryDirectory() if not a.keep else None
    tmp = a.keep or tmp_ctx.name
    os.makedirs(tmp, exist_ok=True)
    ok = True
    ml = a.ml_opset
    for k in (2, 3):
        X, y = classification(k)
        fit, ev = X[:300], X[300:]
        models = [("random_forest_classifier", RandomForestClassifier(n_estimators=10, max_depth=6, random_state=SEED)),
                  ("gradient_boosting_classifier", GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=SEED)),
                  ("logistic_regression", LogisticRegression(max_iter=1000)),
                  ("svc_probability", SVC(probability=True, random_state=SEED))]
        for name, m in models:
            ok &= check_classifier("%s_%dclass" % (name, k), m, fit, y[:300], {"X": ev}, ev, ml, a.onnxi, tmp)
    # ZipMap outputs: int64 labels (a forest) and string labels (logistic regression).
    X, y = classification(3)
    ok &= check_zipmap("random_forest_zipmap_int64", RandomForestClassifier(n_estimators=10, random_state=SEED),
                       X[:300], y[:300], X[300:], ml, a.onnxi, tmp)
    names = np.array(["alpha", "beta", "gamma"])
    ok &= check_zipmap("logistic_regression_zipmap_string", LogisticRegression(max_iter=1000),
                       X[:300], names[y[:300]], X[300:], ml, a.onnxi, tmp)
    ok &= check_dict_vectorizer(ml, a.onnxi, tmp)
    X, y = regression()
    ok &= check_regressor("random_forest_regressor", RandomForestRegressor(n_estimators=10, max_depth=6, random_state=SEED),
                          X[:300], y[:300], X[300:], ml, a.onnxi, tmp)
    ok &= check_regressor("gradient_boosting_regressor", GradientBoostingRegressor(n_estimators=20, random_state=SEED),
                          X[:300], y[:300], X[300:], ml, a.onnxi, tmp)
    ok &= check_column_transformer(3, ml, a.onnxi, tmp)
    X, _ = classification(3)
    ok &= check_kmeans(X[:300], X[300:], a.onnxi, tmp)
    print("all pass" if ok else "FAILURES")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
