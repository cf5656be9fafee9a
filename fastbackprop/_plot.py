"""Pictures of training: the cost curve of ``Model.plot_costs`` and ``fastbackprop train --plot``.

matplotlib is the optional extra ``plot``, imported here only when a picture is drawn. Nothing
touches pyplot: a new picture is a bare ``matplotlib.figure.Figure`` (no backend, no global
figure list), so drawing works headless and from any thread; ``ax.figure.savefig(path)`` writes
it.

A picture is a list of curves, each a label and its (iteration, cost) points, drawn on one pair of
axes: the training costs, and the validation costs beside them when a fit recorded those.
"""
import importlib.util
import os

INSTALL = 'pip install "fastbackprop[plot]"'
MISSING = f"plotting needs matplotlib, which is not installed: {INSTALL}"


def available():
    """Whether matplotlib can be found, without importing it (a fast check before training)."""
    try:
        return importlib.util.find_spec("matplotlib") is not None
    except (ImportError, ValueError):  # a broken or stubbed entry in sys.modules
        return False


def _matplotlib_figure():
    """``matplotlib.figure``, or ImportError naming the extra to install."""
    try:
        import matplotlib  # noqa: F401  (first: a stubbed-out matplotlib stops here)
        from matplotlib import figure
    except ImportError as exc:
        raise ImportError(MISSING) from exc
    return figure


def model_curves(model):
    """The curves to draw for ``model``: (label, [(iteration, cost), …]) pairs, in order: the
    training costs, then the validation costs ``fit(validation_data=...)`` recorded."""
    history = getattr(model, "history", None) or {}
    validation = [(i, c) for i, c in zip(history.get("iteration", ()), history.get("val_cost", ()))
                  if c == c]  # NaN: that fit had no validation set
    return [("training", list(model.costs)), ("validation", validation)]


def plot_costs(model, ax=None):
    """Draw ``model``'s recorded costs on ``ax`` (None: a new Figure's axes); the Axes."""
    curves = [(label, points) for label, points in model_curves(model) if points]
    if not curves:
        raise ValueError(f"{model!r} has no recorded costs to plot: fit it first (with "
                         f"record_every > 0)")
    figure = _matplotlib_figure()
    if ax is None:
        ax = figure.Figure(figsize=(6.4, 4.0), layout="constrained").add_subplot()
    title = f"Cost during training, layer_dims {list(model.layer_dims)}"
    draw_curves(ax, curves, title)
    return ax


def draw_curves(ax, curves, title, xlabel="iteration", ylabel="cost"):
    """Each (label, points) of ``curves`` as a line on ``ax``; a legend when there are several."""
    for label, points in curves:
        iterations = [i for i, _ in points]
        costs = [c for _, c in points]
        ax.plot(iterations, costs, label=label, marker="o" if len(points) == 1 else None)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    if len(curves) > 1:
        ax.legend()
    return ax


FORMATS = ("png", "svg", "pdf")  # matplotlib's built-in writers, chosen by the file's suffix


def suffix(path):
    """The format a path's suffix names, lower case without the dot ('' if none)."""
    return os.path.splitext(os.fspath(path))[1].lower().lstrip(".")


def save(ax, path):
    """Write the figure holding ``ax`` to ``path``, in the format of its suffix (``FORMATS``)."""
    # a PNG without the "Software: matplotlib x.y" stamp: regenerating changes only its pixels
    metadata = {"Software": None} if suffix(path) == "png" else None
    ax.figure.savefig(path, dpi=120, metadata=metadata)
