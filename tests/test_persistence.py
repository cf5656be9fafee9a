"""Nothing lost: atomic save, a load that checks everything, Ctrl-C that keeps a consistent model."""
import os
import pickle
import re
import signal
import threading

import numpy as np
import pytest

import fastbackprop._trainers as trainers_module
from fastbackprop import Model
from fastbackprop.model import FORMAT_VERSION

from conftest import classification_data

DIMS = [4, 5, 3, 1]


@pytest.fixture
def trained(rng):
    X, Y = classification_data(rng, DIMS[0], 30)
    return Model(DIMS, "tanh", seed=0).fit(X, Y, learning_rate=0.1, num_iterations=30,
                                            record_every=10), X, Y


# -- save is atomic ----------------------------------------------------------------------------

@pytest.mark.parametrize("failure", [OSError("disk full"), KeyboardInterrupt()])
def test_failed_save_keeps_the_previous_file_and_leaves_no_temp_file(failure, trained, tmp_path,
                                                                      monkeypatch):
    model, X, Y = trained
    path = tmp_path / "model.npz"
    model.save(path)
    before = path.read_bytes()

    def savez_that_fails(file, **arrays):
        file.write(b"PK\x03\x04 half a zip")  # something reaches the disk before the crash
        raise failure

    monkeypatch.setattr(np, "savez", savez_that_fails)
    other = Model(DIMS, "relu", seed=1)
    with pytest.raises(type(failure)):
        other.save(path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["model.npz"]
    monkeypatch.undo()
    np.testing.assert_array_equal(Model.load(path).predict_proba(X), model.predict_proba(X))


def test_failed_rename_leaves_no_temp_file(trained, tmp_path, monkeypatch):
    model, _, _ = trained
    path = tmp_path / "model.npz"
    model.save(path)
    before = path.read_bytes()

    def replace(src, dst):
        raise PermissionError(f"cannot replace {dst}")

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(PermissionError, match="cannot replace"):
        Model(DIMS, seed=3).save(path)
    assert path.read_bytes() == before and sorted(os.listdir(tmp_path)) == ["model.npz"]


def test_save_into_a_missing_folder_creates_nothing(trained, tmp_path):
    model, _, _ = trained
    with pytest.raises(FileNotFoundError):
        model.save(tmp_path / "no" / "such" / "model.npz")
    assert os.listdir(tmp_path) == []


def test_save_load_round_trip_keeps_everything(trained, tmp_path):
    model, X, Y = trained
    path = tmp_path / "m.npz"
    model.save(str(path))  # str and Path both work
    loaded = Model.load(path)
    for attr in ("layer_dims", "hidden_activation", "dtype", "costs", "iterations"):
        assert getattr(loaded, attr) == getattr(model, attr), attr
    np.testing.assert_array_equal(loaded._theta, model._theta)
    assert loaded._theta.dtype == model._theta.dtype


# -- load checks the format version and every shape --------------------------------------------

def _arrays(model):
    """The arrays save writes for model (checked by the next test), to break one at a time."""
    arrays = dict(model.parameters)
    arrays.update(format_version=np.array(FORMAT_VERSION, np.int64),
                  layer_dims=np.array(model.layer_dims, np.int64),
                  hidden_activation=np.array(model.hidden_activation),
                  dtype=np.array(model.dtype.name),
                  costs=np.array(model.costs, np.float64).reshape(-1, 2),
                  iterations=np.array(model.iterations, np.int64),
                  output=np.array(model.output),
                  optimizer=np.array(model._optimizer),
                  optimizer_state=model._state.copy(),
                  steps=np.array(model._steps, np.int64),
                  seed=np.array(model._shuffle_seed, np.int64),
                  history=np.array(list(zip(*model.history.values())),
                                   np.float64).reshape(-1, len(model.history)),
                  stopped_early=np.array(False))
    return arrays


def test_the_test_layout_is_the_saved_layout(trained, tmp_path):
    """_arrays (used to build broken files below) writes exactly what save writes."""
    model, _, _ = trained
    model.save(tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz") as saved:
        expected = _arrays(model)
        assert sorted(saved.files) == sorted(expected)
        for key in saved.files:
            np.testing.assert_array_equal(saved[key], expected[key])
            assert saved[key].dtype == expected[key].dtype, key


def _edit(arrays, **changes):
    out = dict(arrays)
    for key, value in changes.items():
        if value is None:
            out.pop(key)
        else:
            out[key] = value
    return out


BROKEN = [
    ("no format_version", dict(format_version=None),
     "not a valid fastbackprop model file: no format_version"),
    ("newer format", dict(format_version=np.array(FORMAT_VERSION + 1)),
     f"model format version {FORMAT_VERSION + 1} is newer than this fastbackprop reads "
     f"({FORMAT_VERSION}); upgrade fastbackprop"),
    ("format_version text", dict(format_version=np.array("1")),
     "format_version must be an integer >= 1"),
    ("format_version 0", dict(format_version=np.array(0)), "format_version must be an integer >= 1"),
    ("format_version array", dict(format_version=np.array([1, 2])),
     "format_version must be an integer >= 1"),
    ("no layer_dims", dict(layer_dims=None), "it lacks layer_dims"),
    ("no activation", dict(hidden_activation=None), "it lacks hidden_activation"),
    ("no dtype", dict(dtype=None), "it lacks dtype"),
    ("layer_dims 2-D", dict(layer_dims=np.array([[4, 5, 3, 1]])),
     "layer_dims must be a 1-D integer array, got int64 of shape (1, 4)"),
    ("layer_dims float", dict(layer_dims=np.array([4.0, 5, 3, 1])),
     "layer_dims must be a 1-D integer array, got float64"),
    ("layer_dims zero", dict(layer_dims=np.array([4, 0, 3, 1])),
     "layer_dims must hold positive integers, got [4, 0, 3, 1]"),
    ("activation unknown", dict(hidden_activation=np.array("swish")),
     "hidden_activation must be one of relu, leaky_relu, tanh, sigmoid, identity; got 'swish'"),
    ("activation not text", dict(hidden_activation=np.array(3)), "hidden_activation must be a string"),
    ("dtype unknown", dict(dtype=np.array("float16")), "dtype must be 'float32' or 'float64'"),
    ("W2 missing", dict(W2=None), "it lacks W2 for layer_dims [4, 5, 3, 1]"),
    ("extra W4", dict(W4=np.ones((1, 1)), b4=np.ones((1, 1))),
     "unexpected arrays W4, b4 for layer_dims [4, 5, 3, 1]"),
    ("layer_dims disagree", dict(layer_dims=np.array([4, 6, 3, 1])),
     "W1 has shape (5, 4), but layer_dims [4, 6, 3, 1] needs (6, 4)"),
    ("W1 transposed", dict(W1=np.ones((4, 5))),
     "W1 has shape (4, 5), but layer_dims [4, 5, 3, 1] needs (5, 4)"),
    ("b2 flat", dict(b2=np.ones(3)), "b2 has shape (3,), but layer_dims [4, 5, 3, 1] needs (3, 1)"),
    ("b3 too long", dict(b3=np.ones((2, 1))), "b3 has shape (2, 1), but layer_dims [4, 5, 3, 1] needs (1, 1)"),
    ("W1 int", dict(W1=np.ones((5, 4), np.int64)), "W1 has dtype int64, but the file says float64"),
    ("W1 NaN", dict(W1=np.full((5, 4), np.nan)), "parameters['W1'] contains NaN or inf"),
    ("costs 3 columns", dict(costs=np.zeros((3, 3))),
     "costs must be a float array of shape (k, 2), got float64 of shape (3, 3)"),
    ("costs flat", dict(costs=np.zeros(4)), "costs must be a float array of shape (k, 2)"),
    ("iterations negative", dict(iterations=np.array(-1)), "iterations must be an integer >= 0"),
    ("iterations float", dict(iterations=np.array(3.5)), "iterations must be an integer >= 0"),
    ("no output", dict(output=None), "it lacks output (format version 3)"),
    ("history of other columns", dict(history=np.zeros((2, 3))),
     "history must be a float array of shape (k, 5)"),
    ("stopped_early not a bool", dict(stopped_early=np.array(1)), "stopped_early must be a bool"),
    ("output unknown", dict(output=np.array("tanh")),
     "output must be one of sigmoid, softmax, identity; got 'tanh'"),
    ("softmax of one unit", dict(output=np.array("softmax")), "output='softmax' needs"),
    ("optimizer unknown", dict(optimizer=np.array("sgd")),
     "optimizer must be one of gd, momentum, adam, sgd_momentum, nesterov; got 'sgd'"),
    ("optimizer state shape", dict(optimizer=np.array("adam")),
     "optimizer_state must be float64 of shape (2, 47) for adam, got float64 of shape (0, 47)"),
    ("optimizer state NaN", dict(optimizer=np.array("momentum"),
                                 optimizer_state=np.full((1, 47), np.nan)),
     "optimizer_state contains NaN or inf"),
    ("steps negative", dict(steps=np.array(-2)), "steps must be an integer >= 0"),
    ("seed text", dict(seed=np.array("1")), "seed must be an integer >= 0"),
]


@pytest.mark.parametrize("name, changes, message", BROKEN, ids=[b[0] for b in BROKEN])
def test_load_rejects_broken_files(name, changes, message, trained, tmp_path):
    model, _, _ = trained
    path = tmp_path / "broken.npz"
    np.savez(path, **_edit(_arrays(model), **changes))
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        Model.load(path)
    assert str(path) in str(info.value)


def _good_bytes(model, tmp_path):
    model.save(tmp_path / "good.npz")
    return (tmp_path / "good.npz").read_bytes()


@pytest.mark.parametrize("cut", [0, 1, 30, 0.5, -22, -1])
def test_load_rejects_truncated_files(cut, trained, tmp_path):
    model, _, _ = trained
    data = _good_bytes(model, tmp_path)
    keep = int(len(data) * cut) if isinstance(cut, float) else (cut if cut >= 0 else len(data) + cut)
    path = tmp_path / "truncated.npz"
    path.write_bytes(data[:keep])
    with pytest.raises(ValueError, match=re.escape(f"{path}: not a fastbackprop model file")):
        Model.load(path)


def test_load_rejects_a_damaged_member(trained, tmp_path):
    """Bytes flipped inside a stored array: the zip CRC catches it, reported as damaged."""
    model, _, _ = trained
    data = bytearray(_good_bytes(model, tmp_path))
    at = data.find(b"W1.npy") + 200  # inside W1's data
    data[at:at + 8] = b"\xff" * 8
    path = tmp_path / "damaged.npz"
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=re.escape(f"{path}: not a fastbackprop model file")):
        Model.load(path)


@pytest.mark.parametrize("kind", ["text", "npy", "pickle", "data npz", "object npz", "empty"])
def test_load_rejects_foreign_files(kind, tmp_path):
    path = tmp_path / f"foreign_{kind.replace(' ', '_')}.npz"
    if kind == "text":
        path.write_text("W1,b1\n1,2\n")
        message = "not a fastbackprop model file"
    elif kind == "npy":
        with open(path, "wb") as f:
            np.save(f, np.ones((2, 2)))
        message = "not a fastbackprop model file (a single .npy array, not an .npz archive)"
    elif kind == "pickle":
        path.write_bytes(pickle.dumps(Model([2, 1], seed=0)))
        message = "not a fastbackprop model file"
    elif kind == "data npz":
        np.savez(path, X=np.ones((2, 3)), Y=np.ones((1, 3)))
        message = "not a valid fastbackprop model file: no format_version"
    elif kind == "object npz":
        np.savez(path, format_version=np.array([{"evil": 1}], dtype=object))
        message = "not a fastbackprop model file, or a damaged one"
    else:
        path.write_bytes(b"")
        message = "not a fastbackprop model file"
    with pytest.raises(ValueError, match=re.escape(f"{path}: {message}")):
        Model.load(path)


def test_pickle_round_trip_is_complete_and_independent(trained):
    model, X, Y = trained
    clone = pickle.loads(pickle.dumps(model))
    for attr in ("layer_dims", "hidden_activation", "dtype", "costs", "iterations"):
        assert getattr(clone, attr) == getattr(model, attr), attr
    np.testing.assert_array_equal(clone._theta, model._theta)
    clone.fit(X, Y, num_iterations=3)  # the clone trains on its own copy
    assert clone.iterations == model.iterations + 3
    assert not np.array_equal(clone._theta, model._theta)
    assert len(model.costs) == 3 and model.iterations == 30


# -- Ctrl-C stops at an iteration boundary and keeps a consistent model ------------------------

def _assert_consistent(model, X, Y, learning_rate, record_every):
    """Parameters and costs are exactly those of a fresh model trained model.iterations times."""
    fresh = Model(model.layer_dims, model.hidden_activation, dtype=model.dtype, seed=0)
    fresh.fit(X, Y, learning_rate=learning_rate, num_iterations=model.iterations,
              record_every=record_every)
    np.testing.assert_array_equal(model._theta, fresh._theta)
    assert model.costs == fresh.costs


def test_ctrl_c_from_a_timer_during_a_long_fit(rng):
    X, Y = classification_data(rng, 20, 1000)
    model = Model([20, 32, 16, 1], "relu", seed=0)
    model.fit(X, Y, learning_rate=0.01, num_iterations=1)  # compiled (or loaded) already
    model = Model([20, 32, 16, 1], "relu", seed=0)
    main = threading.main_thread().ident
    timer = threading.Timer(0.4, signal.pthread_kill, (main, signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            model.fit(X, Y, learning_rate=0.01, num_iterations=10**9, record_every=7)
    finally:
        timer.cancel()
        timer.join()
    assert 0 < model.iterations < 10**9
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler restored
    _assert_consistent(model, X, Y, 0.01, 7)


class _InterruptingNetwork:
    """kernels.network, but SIGINT arrives the instant the k-th train_steps call returns — the
    window between theta being updated and the bookkeeping that counts the update."""

    def __init__(self, real, k):
        self.real, self.k, self.calls, self.steps = real, k, 0, 0

    def __getattr__(self, name):
        kernel = getattr(self.real, name)
        if not name.startswith("train_steps"):  # the trainers: train_steps, train_steps_split…
            return kernel

        def interrupting(*args):
            cost = kernel(*args)
            self.calls += 1
            self.steps += args[10]  # n_steps (train_steps_split)
            if self.calls == self.k:
                signal.raise_signal(signal.SIGINT)  # runs the Python-level handler right here
            return cost
        return interrupting


@pytest.mark.parametrize("k", [1, 2, 5])
def test_ctrl_c_right_after_a_compiled_chunk_is_counted(k, rng, monkeypatch):
    X, Y = classification_data(rng, 3, 20)
    fake = _InterruptingNetwork(trainers_module.network, k)
    monkeypatch.setattr(trainers_module, "network", fake)
    model = Model([3, 4, 1], "tanh", seed=0)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, Y, learning_rate=0.1, num_iterations=10**6, record_every=3)
    monkeypatch.undo()
    assert fake.calls == k  # stopped at the first boundary after the signal
    assert model.iterations == fake.steps
    _assert_consistent(model, X, Y, 0.1, 3)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_reaches_a_custom_handler_after_the_boundary(rng, monkeypatch):
    """A program's own SIGINT handler is called (once, at the boundary), not replaced."""
    X, Y = classification_data(rng, 3, 20)
    seen = []

    class Stop(Exception):
        pass

    def handler(signum, frame):
        seen.append(signum)
        raise Stop

    previous = signal.signal(signal.SIGINT, handler)
    try:
        fake = _InterruptingNetwork(trainers_module.network, 2)
        monkeypatch.setattr(trainers_module, "network", fake)
        model = Model([3, 4, 1], "tanh", seed=0)
        with pytest.raises(Stop):
            model.fit(X, Y, learning_rate=0.1, num_iterations=1000, record_every=3)
        assert signal.getsignal(signal.SIGINT) is handler
    finally:
        signal.signal(signal.SIGINT, previous)
    assert seen == [signal.SIGINT]
    assert model.iterations == fake.steps


def test_fit_in_a_worker_thread_leaves_sigint_alone(rng):
    X, Y = classification_data(rng, 3, 20)
    errors = []

    def work():
        try:
            Model([3, 4, 1], seed=0).fit(X, Y, num_iterations=50)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert errors == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.parametrize("save", [False, True])
def test_ctrl_c_in_the_command_line(save, tmp_path):
    """A real SIGINT to `fastbackprop train` mid-training: status 130, no traceback, and with
    --save the model trained so far is saved (consistent, loadable)."""
    import subprocess
    import sys
    import time

    path = tmp_path / "model.npz"
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "fastbackprop", "train", "--iterations", "1000000000",
         "--no-baseline"] + (["--save", str(path)] if save else []),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        assert process.stdout.readline().startswith("Training")
        # the long fit's first cost line: compilation (or cache loading) and warm-up are over
        assert process.stdout.readline().startswith("Cost after iteration 0:")
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, err
    assert "Traceback" not in err
    if not save:
        assert err == "fastbackprop train: interrupted\n"
        assert not path.exists()
        return
    model = Model.load(path)
    assert 0 < model.iterations < 10**9
    assert err == (f"fastbackprop train: stopped after {model.iterations} iterations; the model "
                   f"so far is saved to {path}\nfastbackprop train: interrupted\n")
    from fastbackprop import datasets
    X, Y = datasets.planar_flower()
    fresh = Model([2, 4, 1], "tanh", seed=3).fit(X, Y, learning_rate=1.2,
                                                 num_iterations=model.iterations,
                                                 record_every=10**8)
    np.testing.assert_array_equal(model._theta, fresh._theta)


class _SignallingNetwork:
    """kernels.network, setting an event when its first trainer call begins."""

    def __init__(self, real):
        self.real, self.running = real, threading.Event()

    def __getattr__(self, name):
        kernel = getattr(self.real, name)
        if not name.startswith("train_steps"):
            return kernel

        def signalling(*args):
            self.running.set()
            return kernel(*args)
        return signalling


def test_save_and_pickle_while_another_thread_fits_are_never_torn(rng, tmp_path, monkeypatch):
    """A snapshot (pickle, save) requested while another thread fits waits for that fit: it is
    the model after it, never parameters of one iteration with the count of another."""
    X, Y = classification_data(rng, 4, 200)
    n = 5000
    after = Model([4, 8, 1], "tanh", seed=0).fit(X, Y, learning_rate=0.1, num_iterations=n,
                                                 record_every=1000)
    spy = _SignallingNetwork(trainers_module.network)
    monkeypatch.setattr(trainers_module, "network", spy)
    model = Model([4, 8, 1], "tanh", seed=0)
    thread = threading.Thread(target=model.fit, args=(X, Y),
                              kwargs=dict(learning_rate=0.1, num_iterations=n,
                                          record_every=1000))
    thread.start()
    assert spy.running.wait(60)  # the fit is under way (and holds the model's lock)
    snapshots = [pickle.loads(pickle.dumps(model))]
    model.save(tmp_path / "m.npz")
    snapshots.append(Model.load(tmp_path / "m.npz"))
    thread.join()
    for snapshot in snapshots:
        assert snapshot.iterations == n
        np.testing.assert_array_equal(snapshot._theta, after._theta)
        assert snapshot.costs == after.costs


def test_history_and_early_stop_survive_save_and_load(tmp_path):
    """The validation curve and the early stop are part of what a fit leaves (format 3);
    a version-2 file (no history) still loads, with an empty history."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 60))
    Y = (X[:1] > 0).astype(float)
    model = Model([2, 4, 1], "tanh", seed=1)
    model.fit(X[:, :40], Y[:, :40], learning_rate=0.5, num_iterations=6, record_every=1,
              validation_data=(X[:, 40:], Y[:, 40:]))
    path = tmp_path / "m.npz"
    model.save(path)
    loaded = Model.load(path)
    assert loaded.history == model.history
    assert loaded.history["iteration"] == list(range(6))
    assert loaded.stopped_early is model.stopped_early
    with np.load(path) as data:
        arrays = {key: data[key] for key in data.files}
    for key in ("history", "stopped_early"):
        del arrays[key]
    arrays["format_version"] = np.array(2, np.int64)
    np.savez(tmp_path / "v2.npz", **arrays)
    old = Model.load(tmp_path / "v2.npz")
    assert old.history["cost"] == [] and old.costs == model.costs
    arrays["format_version"] = np.array(3, np.int64)
    np.savez(tmp_path / "v3.npz", **arrays)
    with pytest.raises(ValueError, match="lacks history"):
        Model.load(tmp_path / "v3.npz")
