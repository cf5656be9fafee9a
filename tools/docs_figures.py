"""The documentation's figures, generated (never edited by hand):

    python tools/docs_figures.py [--out docs/img]

- ``flower_costs.png``: the README's flower model (``Model([2, 4, 1], hidden_activation="tanh",
  seed=3)`` on ``datasets.planar_flower()``, learning rate 1.2, 10000 iterations), drawn by
  ``Model.plot_costs``;
- ``bench_ratios.png``: each system's speed against the NumPy baseline per benchmark
  configuration (ratio of ms per iteration, higher is faster, log scale), read from
  ``docs/bench.json``: regenerate after ``fastbackprop bench --json docs/bench.json``.

Needs matplotlib (``pip install ".[plot]"``). Trains for well under a second once the kernels are
compiled; runs no benchmark.
"""
import argparse
import json
import textwrap
from pathlib import Path

import numpy as np

from fastbackprop import Model, _plot, datasets

ROOT = Path(__file__).resolve().parents[1]
COLOURS = {"fastbackprop": "#d62728", "torch": "#1f77b4", "jax": "#2ca02c",
           "sklearn": "#9467bd"}


def flower_costs(path):
    X, Y = datasets.planar_flower()
    model = Model([2, 4, 1], hidden_activation="tanh", seed=3)
    model.fit(X, Y, learning_rate=1.2, num_iterations=10000)
    ax = model.plot_costs()
    ax.set_title(f"{ax.get_title()}\ntanh, the planar flower (400 points), learning rate 1.2",
                 fontsize=10)
    _plot.save(ax, path)


def _dims(layer_dims):
    """[100, 64, 64, 64, 1] as "100, 64×3, 1"."""
    parts, i = [], 0
    while i < len(layer_dims):
        j = i
        while j + 1 < len(layer_dims) and layer_dims[j + 1] == layer_dims[i]:
            j += 1
        parts.append(str(layer_dims[i]) + (f"×{j - i + 1}" if j > i else ""))
        i = j + 1
    return "[" + ", ".join(parts) + "]"


def bench_ratios(bench_json, path):
    from matplotlib.figure import Figure
    report = json.loads(Path(bench_json).read_text())
    results = report["results"]
    systems = [s for s in report["systems"] if s != "numpy"]
    labels = {}
    for result in results:
        for name, system in result["systems"].items():
            labels.setdefault(name, system.get("label", name))

    fig = Figure(figsize=(10, 5), layout="constrained")
    ax = fig.add_subplot()
    width = 0.8 / len(systems)
    x = np.arange(len(results))
    for k, name in enumerate(systems):
        ratios = [r["systems"].get(name, {}).get("ratio_to_numpy") for r in results]
        agrees = [r["systems"].get(name, {}).get("agrees", False) for r in results]
        xs = x - 0.4 + width * (k + 0.5)
        shown = [(xi, ratio) for xi, ratio, ok in zip(xs, ratios, agrees) if ratio and ok]
        if not shown:
            continue
        # from 1 (NumPy) up to a faster system's ratio, down to a slower one's
        bars = ax.bar([s[0] for s in shown], [s[1] - 1 for s in shown], width, bottom=1,
                      label=labels[name], color=COLOURS.get(name))
        ax.bar_label(bars, [f"{s[1]:.2g}" for s in shown], fontsize=7, padding=1)
    ax.axhline(1.0, color="black", linewidth=0.8, label="NumPy baseline (= 1)")
    ax.set_yscale("log")
    drawn = [r["ratio_to_numpy"] for result in results for r in result["systems"].values()
             if r.get("ratio_to_numpy")]
    low, high = min(0.1, min(drawn) / 1.5), max(20, max(drawn) * 1.5)  # room for the labels
    ax.set_ylim(low, high)
    ticks = [t for t in (m * 10.0 ** e for e in range(-3, 4) for m in (1, 2, 5))
             if low <= t <= high]
    ax.set_yticks(ticks, [f"{t:g}×" for t in ticks])
    ax.minorticks_off()
    # titles wrapped: the configurations' long names overlapped their neighbours
    ax.set_xticks(x, [f"{r['config']}: {textwrap.fill(r['title'], 14)}\n"
                      f"{_dims(r['layer_dims'])}\nm = {r['m']}\n{r['dtype']}"
                      for r in results], fontsize=7)
    ax.set_xlim(-0.5, len(results) - 0.5)
    ax.set_ylabel("speed against NumPy (higher is faster)")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(ncols=len(systems) + 1, loc="upper right", fontsize=8)
    hardware = report["hardware"]
    ax.set_title(f"Training speed against the NumPy baseline (NumPy time / system time per "
                 f"iteration)\n{report['date']}, commit {report['commit']}, {hardware['cpu']} "
                 f"({hardware['usable_cpus']} CPUs), medians of "
                 f"{report['protocol']['repeats']}: docs/bench.json", fontsize=10)
    _plot.save(ax, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "img"), help="folder to write "
                        "the figures in (default docs/img)")
    parser.add_argument("--bench-json", default=str(ROOT / "docs" / "bench.json"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    flower_costs(out / "flower_costs.png")
    bench_ratios(args.bench_json, out / "bench_ratios.png")
    for name in ("flower_costs.png", "bench_ratios.png"):
        print(out / name)


if __name__ == "__main__":
    main()
