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
