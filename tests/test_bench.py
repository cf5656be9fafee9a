"""`fastbackprop bench`: runs end to end, reports what it measured, flags a wrong system, skips
missing peers with a reason. Never asserts a speed."""
import io
import json
import subprocess
import sys

import numpy as np
import pytest

from fastbackprop import bench
from fastbackprop._peers import SYSTEMS, NumPyBaseline
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
