"""The `fastbackprop` command: train on built-in data, predict, and one-line errors."""
import shutil
import subprocess
import sys

import numpy as np
import pytest

from fastbackprop.cli import main


def test_train_on_builtin_flower_saves_and_predicts(tmp_path, capsys):
    model_path = tmp_path / "flower.npz"
    assert main(["train", "--iterations", "300", "--save", str(model_path)]) == 0
    out = capsys.readouterr().out
    assert "planar flower" in out
    assert "Cost after iteration 0:" in out
    assert "training accuracy" in out and "Speed-up over the NumPy baseline" in out
    assert model_path.exists()

    from fastbackprop import datasets
    X, _ = datasets.planar_flower()
    data = tmp_path / "points.npz"
    np.savez(data, X=X[:, :5])
    assert main(["predict", str(model_path), str(data)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "label,probability" and len(lines) == 6
    out_path = tmp_path / "labels.npy"
    assert main(["predict", str(model_path), str(data), "-o", str(out_path)]) == 0
    labels = np.load(out_path)
    assert labels.shape == (1, 5) and set(np.unique(labels)) <= {0, 1}


def test_train_on_a_data_file(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 40))
    Y = (X[:1] > 0).astype(float)
    data = tmp_path / "d.npz"
    np.savez(data, X=X, Y=Y)
    assert main(["train", "--data", str(data), "--layer-dims", "3,5,1", "--iterations", "200",
                 "--learning-rate", "0.5", "--dtype", "float32", "--no-baseline",
                 "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "dtype='float32'" in out and "NumPy baseline" not in out


def test_train_by_minibatches_matches_the_baseline(capsys):
    assert main(["train", "--iterations", "40", "--batch-size", "64", "--learning-rate",
                 "0.5"]) == 0
    out = capsys.readouterr().out
    assert "minibatches of 64" in out
    costs = [line.split("final cost ")[1][:8] for line in out.splitlines() if "final cost" in line]
    assert len(costs) == 2 and costs[0] == costs[1]  # fastbackprop and NumPy, same shuffles


@pytest.mark.parametrize("argv, message", [
    (["train", "--data", "missing.npz"], "data file not found: missing.npz"),
    (["train", "--layer-dims", "3,4,1"], "X has 2 features (rows), but the model is expecting 3"),
    (["train", "--activation", "swish"], "hidden_activation must be one of"),
    (["train", "--dtype", "float16"], "dtype must be 'float32' or 'float64'"),
    (["train", "--learning-rate", "-1"], "learning_rate must be a finite number >= 0"),
    (["predict", "nope.npz", "x.npz"], "nope.npz"),
    (["train", "--batch-size", "0"], "--batch-size: batch_size must be an integer >= 1"),
])
def test_user_mistakes_give_one_line(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_bad_model_file_is_one_line(tmp_path, capsys):
    bad = tmp_path / "model.npz"
    bad.write_bytes(b"not a zip")
    data = tmp_path / "x.npz"
    np.savez(data, X=np.zeros((2, 3)))
    assert main(["predict", str(bad), str(data)]) == 2
    assert "not a fastbackprop model file" in capsys.readouterr().err


@pytest.mark.late  # its subprocesses load the suite's compiled kernels
def test_console_script_and_module_run():
    exe = shutil.which("fastbackprop")
    commands = [[sys.executable, "-m", "fastbackprop", "train", "--iterations", "50"]]
    if exe:
        commands.append([exe, "train", "--iterations", "50", "--no-baseline"])
    for command in commands:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert "final cost" in done.stdout
    bad = subprocess.run([sys.executable, "-m", "fastbackprop", "train", "--iterations", "x"],
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


# -- the engine's options: heads, optimizers, L2, dropout (issue 20) ---------------------------
# One shape for all of them (the spiral's [2, 100, 3], float64, few iterations) and tanh, as
# tests/test_engine.py trains: numba compiles per dtype and flag combination, not per shape.

def _train(argv):
    """The CLI's train function on argv: its summary (model, costs, accuracy)."""
    from fastbackprop import cli
    return cli.train(cli.build_parser().parse_args(["train", *argv]))


def test_train_softmax_on_the_spiral_matches_the_baseline(tmp_path, capsys):
    model_path = tmp_path / "spiral.npz"
    summary = _train(["--output", "softmax", "--activation", "tanh", "--iterations", "200",
                      "--save", str(model_path)])
    out = capsys.readouterr().out
    assert "the spiral (300 points, 3 classes" in out and "adam, learning rate 0.01" in out
    assert "output='softmax'" in out and "layer_dims=[2, 100, 3]" in out
    accuracy = float(out.split("training accuracy ")[1].split(" %")[0])
    assert accuracy == pytest.approx(100 * summary["accuracy"], abs=0.05)
    assert summary["accuracy"] > 0.8  # 200 Adam steps separate most of the arms (tanh)
    assert abs(summary["cost"] - summary["baseline_cost"]) <= 1e-10
    costs = [line.split("final cost ")[1][:8] for line in out.splitlines() if "final cost" in line]
    assert len(costs) == 2 and costs[0] == costs[1]

    # predict on the saved softmax model: the label, then every class's probability
    from fastbackprop import Model, datasets
    X, _ = datasets.spiral()
    data = tmp_path / "points.npz"
    np.savez(data, X=X[:, ::60])  # 5 points
    assert main(["predict", str(model_path), str(data)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "label,probability_0,probability_1,probability_2" and len(lines) == 6
    rows = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
    model = Model.load(model_path)
    np.testing.assert_array_equal(rows[:, 0], model.predict(X[:, ::60])[0])
    np.testing.assert_allclose(rows[:, 1:], model.predict_proba(X[:, ::60]).T, rtol=1e-5)
    np.testing.assert_allclose(rows[:, 1:].sum(axis=1), 1, rtol=1e-4)
    out_path = tmp_path / "labels.npy"
    assert main(["predict", str(model_path), str(data), "-o", str(out_path)]) == 0
    labels = np.load(out_path)
    assert labels.shape == (1, 5) and labels.dtype == np.int64
    np.testing.assert_array_equal(labels, model.predict(X[:, ::60]))


def test_train_adam_with_l2_and_dropout_runs_and_matches_the_baseline(capsys):
    summary = _train(["--output", "softmax", "--activation", "tanh", "--optimizer", "adam",
                      "--beta1", "0.8",
                      "--lambd", "0.01", "--keep-prob", "0.8", "--iterations", "20", "--quiet"])
    out = capsys.readouterr().out
    assert "adam, learning rate 0.01, lambd 0.01, keep_prob 0.8" in out
    assert "training accuracy" in out and "Cost after" not in out
    # the same dropout masks: the baseline is keyed on the fit's seed (--seed)
    assert abs(summary["cost"] - summary["baseline_cost"]) <= 1e-10


def test_train_softmax_on_a_file_of_integer_labels(tmp_path, capsys):
    from fastbackprop import cli, datasets
    X, Y = datasets.spiral()
    data = tmp_path / "spiral.npz"
    np.savez(data, X=X, Y=Y[0].astype(np.float64))  # (m,) class labels, stored as floats
    # without --layer-dims the last layer would get one unit per class: 3
    assert cli._output_units(Y[0], "softmax") == 3 and cli._output_units(Y, "softmax") == 3
    summary = _train(["--data", str(data), "--output", "softmax", "--activation", "tanh",
                      "--layer-dims", "2,100,3",
                      "--optimizer", "adam", "--iterations", "10", "--quiet", "--no-baseline"])
    assert summary["model"].layer_dims == [2, 100, 3] and 0 <= summary["accuracy"] <= 1
    assert "NumPy baseline" not in capsys.readouterr().out


def test_predict_with_a_regression_model(tmp_path, capsys):
    from fastbackprop import Model
    model = Model([2, 100, 3], output="identity", seed=0)
    model_path = tmp_path / "regression.npz"
    model.save(model_path)
    X = np.random.default_rng(0).standard_normal((2, 4))
    data = tmp_path / "x.npz"
    np.savez(data, X=X)
    assert main(["predict", str(model_path), str(data)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "output_0,output_1,output_2" and len(lines) == 5
    rows = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
    np.testing.assert_allclose(rows, model.predict(X).T, rtol=1e-5)
    out_path = tmp_path / "outputs.npy"
    assert main(["predict", str(model_path), str(data), "-o", str(out_path)]) == 0
    np.testing.assert_array_equal(np.load(out_path), model.predict(X))


@pytest.mark.parametrize("argv, message", [
    (["train", "--keep-prob", "0"], "--keep-prob: keep_prob must be in (0.0, 1.0]"),
    (["train", "--optimizer", "rmsprop"], "--optimizer: optimizer must be one of gd, momentum"),
    (["train", "--output", "tanh"], "--output: output must be one of sigmoid, softmax"),
    (["train", "--output", "identity"], "--output identity: give --data"),
    (["train", "--output", "softmax", "--layer-dims", "2,4,1"],
     "--output: output='softmax' needs layer_dims[-1] >= 2"),
    (["train", "--lambd", "-1"], "--lambd: lambd must be in [0.0, inf]"),
    (["train", "--beta1", "0.5"], "--beta1 is adam's: give --optimizer adam"),
    (["train", "--optimizer", "adam", "--beta2", "1"], "--beta2: beta2 must be in [0.0, 1.0)"),
    (["train", "--keep-prob", "x"], "argument --keep-prob: invalid float value"),
])
def test_bad_engine_options_give_one_line(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
