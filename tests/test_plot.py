"""Pictures of the cost curve: ``Model.plot_costs`` and ``fastbackprop train --plot``.

The flower's shapes and dtype ([2, 4, 1], tanh, float64), as in test_cli.py, so nothing new is
compiled. Tests that draw need matplotlib (the ``plot`` extra, also in ``test``) and are skipped,
saying why, without it; matplotlib's absence is simulated, so those tests run either way.
"""
import sys
import threading

import numpy as np
import pytest

from fastbackprop import Model, datasets
from fastbackprop.cli import main

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
INSTALL = 'pip install "fastbackprop[plot]"'


def needs_matplotlib():
    return pytest.importorskip("matplotlib", reason="drawing needs matplotlib (pip install "
                               "\"fastbackprop[plot]\")")


@pytest.fixture(scope="module")
def fitted():
    X, Y = datasets.planar_flower()
    return Model([2, 4, 1], hidden_activation="tanh", seed=3).fit(
        X, Y, learning_rate=1.2, num_iterations=500, record_every=50)


@pytest.fixture
def no_matplotlib(monkeypatch):
    """matplotlib made unimportable: None in sys.modules stops an import (and find_spec)."""
    for name in [n for n in sys.modules if n == "matplotlib" or n.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)


def test_plot_costs_draws_the_recorded_costs(fitted):
    needs_matplotlib()
    from matplotlib.axes import Axes
    ax = fitted.plot_costs()
    assert isinstance(ax, Axes)
    (line,) = ax.get_lines()
    np.testing.assert_array_equal(np.column_stack(line.get_data()), np.array(fitted.costs))
    assert len(fitted.costs) == 10
    assert ax.get_xlabel() == "iteration" and ax.get_ylabel() == "cost"
    assert "[2, 4, 1]" in ax.get_title()
    assert ax.figure.canvas.manager is None  # a bare Figure: pyplot's global state untouched


def test_plot_costs_draws_on_the_given_axes(fitted):
    needs_matplotlib()
    from matplotlib.figure import Figure
    ax = Figure().add_subplot()
    assert fitted.plot_costs(ax=ax) is ax
    assert len(ax.get_lines()) == 1


def test_plot_costs_from_a_thread_writes_a_png(fitted, tmp_path):
    needs_matplotlib()
    from fastbackprop import _plot
    errors = []

    def draw(i):
        try:
            _plot.save(fitted.plot_costs(), tmp_path / f"costs{i}.png")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=draw, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for i in range(2):
        assert (tmp_path / f"costs{i}.png").read_bytes()[:8] == PNG_SIGNATURE


def test_no_recorded_costs_is_a_value_error():
    model = Model([2, 4, 1], hidden_activation="tanh", seed=3)
    with pytest.raises(ValueError, match="no recorded costs"):
        model.plot_costs()


def test_without_matplotlib_the_error_names_the_extra(fitted, no_matplotlib):
    with pytest.raises(ImportError, match=r'pip install "fastbackprop\[plot\]"'):
        fitted.plot_costs()


def test_cli_plot_writes_a_png(tmp_path, capsys):
    needs_matplotlib()
    path = tmp_path / "costs.png"
    assert main(["train", "--iterations", "50", "--no-baseline", "--quiet",
                 "--plot", str(path)]) == 0
    assert f"Cost curve written to {path}" in capsys.readouterr().out
    assert path.read_bytes()[:8] == PNG_SIGNATURE


def test_cli_plot_without_matplotlib_fails_before_training(tmp_path, capsys, no_matplotlib,
                                                          monkeypatch):
    def no_training(*args, **kwargs):
        raise AssertionError("trained although --plot could not be written")

    monkeypatch.setattr(Model, "fit", no_training)
    path = tmp_path / "costs.png"
    assert main(["train", "--iterations", "50", "--no-baseline", "--plot", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and INSTALL in captured.err
    assert "Traceback" not in captured.err and "Training" not in captured.out
    assert not path.exists()


@pytest.mark.parametrize("argv, message", [
    (["--plot", "costs.gif"], "give a file name ending in .png, .svg, .pdf"),
    (["--plot", "no/such/folder/costs.png"], "no such folder"),
    (["--plot", "costs.png", "--iterations", "0"], "records no costs to plot"),
])
def test_cli_plot_mistakes_give_one_line(argv, message, capsys, monkeypatch):
    needs_matplotlib()
    monkeypatch.setattr(Model, "fit", lambda *a, **k: pytest.fail("trained"))
    assert main(["train", "--no-baseline", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
