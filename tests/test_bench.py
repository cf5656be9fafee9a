"""`fastbackprop bench`: runs end to end, reports what it measured, flags a wrong system, skips
missing peers with a reason. Never asserts a speed."""
import io
import json
import subprocess
import sys

import numpy as np
import pytest

from fastbackprop import bench
from fastbackprop._peers import SYSTEMS, FastBackprop, NumPyBaseline
from fastbackprop.cli import main


class Perturbed(NumPyBaseline):
    """The baseline with its parameters nudged by 1e-6 relative: a wrong result."""
    name, label = "perturbed", "Perturbed"

    def parameters(self):
        return {key: value * (1 + 1e-6) + 1e-6 for key, value in self.params.items()}


class NotInstalled(NumPyBaseline):
    name, label = "absent", "Absent"

    @staticmethod
    def missing():
        return "absentlib is not installed (pip install absentlib)"


class Broken(NumPyBaseline):
    name, label = "broken", "Broken"

    def train(self, n):
        raise RuntimeError("this peer cannot train")


def quick(systems, configs="a"):
    out = io.StringIO()
    report = bench.run(configs=configs, systems=systems, quick=True, isolate=False, out=out)
    return report, out.getvalue()


@pytest.mark.late  # its subprocesses load the suite's compiled kernels
def test_quick_run_end_to_end_in_subprocesses(tmp_path):
    json_path, md_path = tmp_path / "bench.json", tmp_path / "docs" / "bench.md"
    done = subprocess.run([sys.executable, "-m", "fastbackprop", "bench", "--quick",
                           "--configs", "a", "--systems", "numpy,fastbackprop",
                           "--json", str(json_path), "--markdown", str(md_path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "| a planar f64" in done.stdout and "fastbackprop" in done.stdout

    report = json.loads(json_path.read_text())
    for key in ("command", "date", "hardware", "versions", "libraries", "protocol",
                "peak_n", "peak_gflops", "results", "skipped", "ok"):
        assert key in report, key
    assert report["peak_n"] == bench.QUICK["peak_n"]
    assert all(report["peak_gflops"][dtype] > 0 for dtype in ("float32", "float64"))
    assert report["ok"] and report["quick"]
    assert report["hardware"]["cpu"] and report["versions"]["numpy"] == np.__version__
    (entry,) = report["results"]
    assert entry["config"] == "a" and entry["dtype"] == "float64"
    assert set(entry["systems"]) == {"numpy", "fastbackprop"}
    for result in entry["systems"].values():
        for key in ("ms_per_iteration", "ratio_to_numpy", "gflops", "percent_of_peak",
                    "max_rel_deviation", "agrees", "chunks_ms_per_iteration", "first_call_s"):
            assert key in result, key
        assert result["agrees"] and result["ms_per_iteration"] > 0
        assert len(result["chunks_ms_per_iteration"]) == report["protocol"]["repeats"]
    assert entry["systems"]["numpy"]["ratio_to_numpy"] == 1.0
    # the ceiling: the iteration's GEMM flops at the run's measured peak, against NumPy's time
    peak = report["peak_gflops"]["float64"]
    assert entry["peak_gflops"] == peak
    assert entry["floor_ms"] == pytest.approx(entry["flops_per_iteration"] / peak / 1e6)
    numpy_ms = entry["systems"]["numpy"]["ms_per_iteration"]
    assert entry["ceiling_ratio"] == pytest.approx(numpy_ms / entry["floor_ms"])
    for result in entry["systems"].values():
        assert result["percent_of_peak"] == pytest.approx(100 * result["gflops"] / peak)
    # the peak again after the configuration: a machine that changed speed is visible
    assert entry["peak_gflops_after"] > 0
    assert entry["peak_drift"] == pytest.approx(entry["peak_gflops_after"] / peak - 1)

    text = md_path.read_text()
    assert text == done.stdout
    assert "| config | NumPy | fastbackprop | ceiling |" in text
    assert f"| {bench._ratio(entry['ceiling_ratio'])} |" in text
    assert f"`fastbackprop bench --quick --configs a --systems numpy,fastbackprop --json " \
           f"{json_path} --markdown {md_path}`" in text


def test_a_ceiling_is_marked_when_the_machine_changed_speed():
    report, text = quick(["numpy", "fastbackprop"])
    (entry,) = report["results"]
    ceiling = bench._ratio(entry["ceiling_ratio"])
    # the run's peak probe ran at twice this configuration's speed
    entry.update(peak_gflops_after=entry["peak_gflops"] / 2, peak_drift=-0.5)
    assert "(?)" not in bench.markdown(report)  # quick runs are never benchmarks
    report["quick"] = False
    slowed = bench.markdown(report)
    assert f"| {ceiling} (?) |" in slowed
    assert "the machine's speed changed during the run" in slowed
    assert f"a f64 {entry['peak_gflops_after']:.0f} (?)" in slowed
    entry["peak_drift"] = 0.0
    steady = bench.markdown(report)
    assert f"| {ceiling} |" in steady and "(?)" not in steady


def test_a_disagreeing_system_is_flagged():
    report, text = quick(["numpy", Perturbed])
    result = report["results"][0]["systems"]["perturbed"]
    assert not result["agrees"] and result["max_rel_deviation"] > bench.TOLERANCE["float64"]
    assert not report["ok"] and report["disagreements"] == ["a float64 perturbed"]
    assert "✗" in text and "**NO**" in text and "Disagrees with the NumPy baseline" in text


def test_missing_and_broken_peers_are_skipped_with_a_reason():
    report, text = quick(["numpy", NotInstalled, Broken])
    assert report["skipped"] == {"absent": "absentlib is not installed (pip install absentlib)"}
    assert "Skipped absent: absentlib is not installed" in text
    entry = report["results"][0]
    assert set(entry["systems"]) == {"numpy"}
    assert entry["skipped"]["broken"].startswith("failed: RuntimeError: this peer cannot train")
    assert "Skipped broken: failed: RuntimeError" in text
    assert report["ok"]  # a peer that cannot run is reported, not a failure of the run


def test_uninstalled_framework_is_skipped(monkeypatch):
    monkeypatch.setattr(SYSTEMS["torch"], "missing",
                        staticmethod(lambda: "torch is not installed (pip install "
                                     "'fastbackprop[torch]')"))
    report, text = quick("numpy,torch")
    assert "torch" in report["skipped"] and "torch" not in report["results"][0]["systems"]
    assert "Skipped torch: torch is not installed" in text


def test_deviation_measure():
    ref = {"W1": np.array([[1.0, -2.0]]), "b1": np.zeros((1, 1))}
    assert bench.max_relative_deviation(ref, ref) == 0.0
    assert bench.max_relative_deviation({"W1": ref["W1"] + 1e-3, "b1": ref["b1"]}, ref) \
        == pytest.approx(5e-4)
    assert bench.max_relative_deviation({"W1": ref["W1"], "b1": ref["b1"] + 1e-3}, ref) \
        == pytest.approx(1e-3)  # absolute where the reference is all zero
    assert bench.max_relative_deviation({"W1": ref["W1"] * np.nan, "b1": ref["b1"]}, ref) \
        == float("inf")


def test_selectors_name_their_mistakes(capsys):
    assert main(["bench", "--configs", "z"]) == 2
    assert "unknown configuration z" in capsys.readouterr().err
    assert main(["bench", "--systems", "numpy,tensorflow"]) == 2
    assert "unknown system 'tensorflow'" in capsys.readouterr().err
    with pytest.raises(ValueError, match="isolate=False"):
        bench.run(configs="a", systems=["numpy", Perturbed], quick=True, out=io.StringIO())


# -- a network of the user's own (`--layer-dims`) -----------------------------------------------

@pytest.mark.late  # its subprocesses load the suite's compiled kernels
def test_your_own_network_end_to_end(tmp_path):
    json_path = tmp_path / "own.json"
    done = subprocess.run([sys.executable, "-m", "fastbackprop", "bench", "--quick",
                           "--layer-dims", "5,4,1", "--examples", "40", "--activation",
                           "leaky_relu", "--dtype", "float32", "--systems",
                           "numpy,fastbackprop", "--json", str(json_path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "| custom 5-4-1 m=40 f32 |" in done.stdout
    assert "custom 5-4-1, m = 40, leaky_relu" in done.stdout
    report = json.loads(json_path.read_text())
    (entry,) = report["results"]  # only the own network: no registered one unless named
    assert (entry["config"], entry["layer_dims"], entry["m"], entry["hidden_activation"],
            entry["dtype"], entry["learning_rate"]) == ("custom", [5, 4, 1], 40, "leaky_relu",
                                                         "float32", 0.01)
    assert entry["iterations_per_chunk"] >= 1  # calibrated in the worker
    assert all(r["agrees"] for r in entry["systems"].values()) and report["ok"]
    assert "--layer-dims 5,4,1 --examples 40 --activation leaky_relu --dtype float32" \
        in report["command"]


def test_chunks_of_an_own_network_are_calibrated_on_the_baseline(monkeypatch):
    clock = [0.0]

    class Trainer:  # 2 ms per iteration on a fake clock
        def train(self, n):
            clock[0] += 0.002 * n

    monkeypatch.setattr(bench.time, "perf_counter", lambda: clock[0])
    assert bench.calibrated_iterations(Trainer(), 0.15) == 75
    assert bench.calibrated_iterations(Trainer(), 0.001) == 1  # never fewer than one


def test_own_network_with_registered_ones_and_in_python():
    from fastbackprop.configs import custom
    own = custom([3, 2, 1], 30, "tanh", name="mine")
    report, text = quick(["numpy", "fastbackprop"], configs=["a", own])
    assert [e["config"] for e in report["results"]] == ["a", "mine"]
    assert "| mine 3-2-1 m=30 f64 |" in text and "a planar 2-4-1, m = 256, tanh" in text
    assert report["results"][1]["hidden_activation"] == "tanh" and report["ok"]
    with pytest.raises(ValueError, match="distinct names"):
        bench.run(configs=[own, own], quick=True, isolate=False, out=io.StringIO())
    with pytest.raises(ValueError, match="new configuration name"):
        custom([3, 1], 30, name="a")


@pytest.mark.parametrize("peer", ["torch", "jax", "sklearn"])
def test_peers_train_every_hidden_activation_as_the_baseline_does(peer):
    """Each framework's version of every activation agrees with the baseline (or says why it
    cannot run it); CI installs no framework, so there this is skipped by importorskip."""
    pytest.importorskip({"sklearn": "sklearn"}.get(peer, peer), reason=f"{peer} not installed")
    from fastbackprop.configs import custom
    configs = [custom([4, 3, 1], 20, activation, name=activation)
               for activation in ("relu", "leaky_relu", "tanh", "sigmoid", "identity")]
    report, text = quick(["numpy", peer], configs=configs)
    for entry in report["results"]:
        if peer == "sklearn" and entry["config"] == "leaky_relu":
            assert entry["skipped"] == {"sklearn": "MLPClassifier has no leaky_relu activation"}
            continue
        assert entry["systems"][peer]["agrees"], entry["config"]
    assert report["ok"]


def test_own_network_options_name_their_mistakes(capsys):
    cases = [(["--examples", "5"], "--examples describes your own network"),
             (["--layer-dims", "3,1"], "--layer-dims needs --examples"),
             (["--layer-dims", "3,2", "--examples", "4"], "--layer-dims: layer_dims must end in 1"),
             (["--layer-dims", "3,1", "--examples", "0"], "--examples: the number of examples "
              "must be an integer >= 1"),
             (["--layer-dims", "3,1", "--examples", "4", "--activation", "gelu"],
              "--activation: activation must be one of"),
             (["--layer-dims", "3,1", "--examples", "4", "--dtype", "float16"],
              "--dtype: dtype must be 'float32' or 'float64'"),
             (["--layer-dims", "3,1", "--examples", "4", "--learning-rate", "-1"],
              "--learning-rate: learning rate must be a finite number >= 0")]
    for argv, message in cases:
        assert main(["bench", *argv]) == 2, argv
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1, err


# -- the minibatch Adam configurations (f, g, h) ------------------------------------------------

# name: (layer_dims, m, batch size, head, the GEMM MFLOP per step)
MINIBATCH = {"f": ((784, 256, 128, 10), 12800, 128, "softmax", 129),
             "g": ((8, 64, 64, 1), 20000, 200, "identity", 5.4),
             "h": ((64, 100, 10), 1797, 200, "softmax", 6.3)}


class OtherShuffles(FastBackprop):
    """fastbackprop on another shuffle seed, claiming the baseline's shuffles: a wrong result."""
    name, label = "othershuffles", "Other shuffles"

    def train(self, n):
        c = self.config
        for _ in range(n):
            self.model.fit(self.X, self.Y, learning_rate=c.learning_rate, num_iterations=1,
                           batch_size=c.batch_size, seed=1, optimizer="adam", record_every=0,
                           progress=False)


class OwnShuffles(OtherShuffles):
    """The same, saying it shuffles its own way (as the frameworks do): only its cost counts."""
    name, label = "ownshuffles", "Own shuffles"
    same_shuffles = False


class Stuck(NumPyBaseline):
    """A framework that never moves: its cost does not fall."""
    name, label = "stuck", "Stuck"
    same_shuffles = False

    def train(self, n):
        pass


def test_minibatch_adam_configurations_are_registered():
    from fastbackprop.configs import CONFIGS, FULL_BATCH, MINIBATCH as NAMES, custom, \
        flops_per_iteration
    assert NAMES == ("f", "g", "h") and FULL_BATCH == ("a", "b", "c", "d", "e")
    for name, (dims, m, batch, head, mflops) in MINIBATCH.items():
        c = CONFIGS[name]
        assert (c.layer_dims, c.m, c.batch_size, c.output, c.optimizer, c.hidden_activation,
                c.dtypes, c.learning_rate, c.beta1, c.beta2, c.epsilon) == \
            (dims, m, batch, head, "adam", "relu", ("float32",), 1e-3, 0.9, 0.999, 1e-8)
        assert c.steps_per_iteration() == -(-m // batch)
        assert flops_per_iteration(dims, batch) / 1e6 == pytest.approx(mflops, rel=0.01)
        X, Y = c.data("float32")
        assert X.shape == (dims[0], m) and Y.shape == (dims[-1], m)
        assert X.dtype == Y.dtype == np.float32 and X.flags.c_contiguous and Y.flags.c_contiguous
        if head == "softmax":  # one-hot, every class taught
            assert set(np.unique(Y)) == {0.0, 1.0} and (Y.sum(axis=0) == 1).all()
            assert (Y.sum(axis=1) > 0).all()
        else:  # a real-valued teacher of unit variance
            assert 0.5 < Y.std() < 2 and len(np.unique(Y)) > m // 2
    assert (CONFIGS["f"].steps_per_iteration(), CONFIGS["h"].steps_per_iteration()) == (100, 9)
    # the default run is every registered configuration, these included
    assert [(c.name, dtype) for c, dtype in bench._select_configs(None)][-3:] == \
        [("f", "float32"), ("g", "float32"), ("h", "float32")]
    # configs a-e keep their data: sigmoid labels from the same draws as before f, g, h
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 400))
    w = rng.standard_normal(2)
    X_a, Y_a = CONFIGS["a"].data()
    np.testing.assert_array_equal(X_a, X)
    np.testing.assert_array_equal(Y_a, (w @ X > 0)[None, :].astype(float))
    assert custom([3, 1], 10).batch_size is None  # a network of your own stays full-batch


def test_minibatch_configurations_quick_with_numpy_and_fastbackprop():
    from fastbackprop.configs import flops_per_iteration
    # g and h: f runs the same trainer on larger shapes (it has its quick run below, with the
    # other registered configurations)
    report, text = quick(["numpy", "fastbackprop"], configs="g,h")
    assert report["ok"], report["disagreements"] + report["errors"]
    assert report["protocol"]["minibatch_tolerance"] == bench.TOLERANCE_MINIBATCH
    for entry, (name, (dims, m, batch, head, _)) in zip(
            report["results"], [(k, v) for k, v in MINIBATCH.items() if k != "f"]):
        quick_m = bench.QUICK["max_m"]
        steps = -(-quick_m // batch)
        assert (entry["config"], entry["dtype"], entry["unit"], entry["m"], entry["output"],
                entry["optimizer"], entry["batch_size"], entry["steps_per_iteration"]) == \
            (name, "float32", "step", quick_m, head, "adam", batch, steps)
        assert entry["flops_per_iteration"] == flops_per_iteration(dims, quick_m)
        assert entry["flops_per_step"] == pytest.approx(entry["flops_per_iteration"] / steps)
        # a few steps: the quick run's epochs over the first examples (at most 2.5 batches)
        assert entry["agreement_examples"] == min(quick_m, 2 * batch + batch // 2)
        assert entry["agreement_steps"] == bench.QUICK["agreement_iterations"] * \
            -(-entry["agreement_examples"] // batch)
        assert entry["loss_reference"] < entry["loss_start"]
        assert set(entry["systems"]) == {"numpy", "fastbackprop"}
        for result in entry["systems"].values():
            assert result["check"] == "norm_rel" and result["agrees"]
            assert result["max_rel_deviation"] <= bench.TOLERANCE_MINIBATCH["float32"]
            assert result["loss_after"] == pytest.approx(entry["loss_reference"], rel=1e-4)
            assert result["ms_per_step"] == pytest.approx(result["ms_per_iteration"] / steps)
            assert len(result["chunks_ms_per_iteration"]) == report["protocol"]["repeats"]
        # the ceiling as for the others: the GEMM flops at the peak, against NumPy's time
        assert entry["floor_ms"] == pytest.approx(entry["flops_per_iteration"]
                                                  / entry["peak_gflops"] / 1e6)
        assert entry["floor_ms_per_step"] == pytest.approx(entry["floor_ms"] / steps)
        assert entry["ceiling_ratio"] == pytest.approx(
            entry["systems"]["numpy"]["ms_per_iteration"] / entry["floor_ms"])
        numpy_step = bench._ms(entry["systems"]["numpy"]["ms_per_step"])
        row = f"| {name} {entry['title']} f32 (m=256) |"
        assert f"{row} {numpy_step} |" in text or f"{row} **{numpy_step}** |" in text  # fastest
    for row in ("g tabular regression f32 (m=256)", "h digits-shaped softmax f32 (m=256)"):
        assert f"| {row} | NumPy |" in text and f"| {row} | fastbackprop |" in text
    assert "Milliseconds per minibatch step" in text and "ms / iteration or step" in text
    assert "h digits-shaped softmax 64-100-10, m = 256, relu, softmax head, Adam in " \
           "batches of 200 (2 steps per epoch)" in text
    assert "g tabular regression 8-64-64-1, m = 256, relu, identity head" in text
    assert "(norm) | yes |" in text and "Minibatch configurations (g, h): Adam" in text
    # a full-batch configuration beside them: both units, each row in its own
    report, text = quick(["numpy", "fastbackprop"], configs="a,h")
    assert report["ok"] and [e["unit"] for e in report["results"]] == ["iteration", "step"]
    assert "Milliseconds per full-batch training iteration" in text
    assert "for the minibatch configurations (h) per minibatch step" in text


def test_every_other_registered_configuration_quick_with_numpy_and_fastbackprop():
    """The registered configurations the tests above leave out, end to end in this process: each
    builds its data and parameters, both systems train it, and fastbackprop agrees with the
    NumPy baseline (the agreement gate; a, g and h: above)."""
    from fastbackprop.configs import CONFIGS
    names = [name for name in CONFIGS if name not in ("a", "g", "h")]
    assert names == ["b", "c", "d", "e", "f"]
    report, text = quick(["numpy", "fastbackprop"], configs=",".join(names))
    assert report["ok"], report["disagreements"] + report["errors"]
    assert sorted({entry["config"] for entry in report["results"]}) == names
    for entry in report["results"]:
        assert set(entry["systems"]) == {"numpy", "fastbackprop"}, entry["config"]
        assert all(result["agrees"] for result in entry["systems"].values()), entry["config"]


def test_minibatch_agreement_checks_parameters_or_the_cost():
    """Same shuffles: the parameters are held to the baseline's; the frameworks' own shuffles:
    the cost must fall."""
    report, text = quick(["numpy", OtherShuffles, OwnShuffles, Stuck], configs="h")
    (entry,) = report["results"]
    systems = entry["systems"]
    assert systems["numpy"]["agrees"]
    wrong = systems["othershuffles"]
    assert wrong["check"] == "norm_rel" and not wrong["agrees"]
    assert wrong["max_rel_deviation"] > 100 * bench.TOLERANCE_MINIBATCH["float32"]
    own = systems["ownshuffles"]  # the same training, checked by its cost alone: it falls
    assert own["check"] == "loss" and own["max_rel_deviation"] is None and own["agrees"]
    assert own["loss_after"] < entry["loss_start"]
    stuck = systems["stuck"]
    assert stuck["check"] == "loss" and not stuck["agrees"]
    assert stuck["loss_after"] == pytest.approx(entry["loss_start"])
    assert report["disagreements"] == ["h float32 othershuffles", "h float32 stuck"]
    assert not report["ok"]
    start = f"{entry['loss_start']:.4g}"
    assert f"cost {start} → {own['loss_after']:.4g} | yes |" in text
    assert f"cost {start} → {start} | **NO** |" in text
    assert "✗" in text and "for a framework a falling cost" in text


def test_relative_norm_deviation():
    ref = {"W1": np.ones((10, 10)), "b1": np.zeros((10, 1))}
    assert bench.relative_norm_deviation(ref, ref) == 0.0
    one = {"W1": ref["W1"].copy(), "b1": ref["b1"]}
    one["W1"][3, 4] += 0.1  # one entry in a hundred: a tenth of the largest, 1 % of the norm
    assert bench.max_relative_deviation(one, ref) == pytest.approx(0.1)
    assert bench.relative_norm_deviation(one, ref) == pytest.approx(0.01)
    assert bench.relative_norm_deviation({"W1": ref["W1"], "b1": ref["b1"] + 1e-3}, ref) == \
        pytest.approx(1e-3 * np.sqrt(10))  # absolute where the reference is all zero
    assert bench.relative_norm_deviation({"W1": ref["W1"] * np.nan, "b1": ref["b1"]}, ref) == \
        float("inf")
    assert bench.relative_norm_deviation({"W1": ref["W1"][:5], "b1": ref["b1"]}, ref) == \
        float("inf")


def test_jax_needs_optax_for_minibatches(monkeypatch):
    from fastbackprop import _peers
    from fastbackprop.configs import CONFIGS
    find_spec = _peers.importlib.util.find_spec
    monkeypatch.setattr(_peers.importlib.util, "find_spec",
                        lambda name, *a: None if name == "optax" else find_spec(name, *a))
    assert SYSTEMS["jax"].unsupported(CONFIGS["h"]) == \
        "optax is not installed (pip install 'fastbackprop[jax]')"
    assert SYSTEMS["jax"].unsupported(CONFIGS["a"]) is None  # full batch: jax alone


@pytest.mark.parametrize("peer", ["torch", "jax", "sklearn"])
def test_peers_train_the_minibatch_configurations(peer):
    """Each framework's minibatch Adam loop runs and lowers the cost on a softmax and a
    regression configuration; skipped where the framework is not installed (CI)."""
    pytest.importorskip({"sklearn": "sklearn"}.get(peer, peer), reason=f"{peer} not installed")
    if peer == "jax":
        pytest.importorskip("optax", reason="optax not installed")
    report, text = quick(["numpy", peer], configs="g,h")
    assert report["ok"], report
    for entry in report["results"]:
        result = entry["systems"][peer]
        assert result["check"] == "loss" and result["agrees"]
        # the same cost scaling: a few Adam steps land near the baseline's cost
        assert result["loss_after"] == pytest.approx(entry["loss_reference"], rel=0.05)
        assert result["ms_per_step"] > 0
