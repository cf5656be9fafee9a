"""The trainer plan: which trainer path runs a fit, and every compile flag it runs with.

One place decides; ``Model`` asks ``plan(...)`` and gets a ``Plan``, which ``_trainers.make``
turns into a trainer. Nothing else chooses a path or a flag (see docs/engine.md).

Paths (``PATHS``), by the examples of one step (all m, or a batch):
- ``serial``: full batch, ``network.train_steps_split`` (products split into parallel parts
  only when they are large);
- ``serial_minibatch``: the same compiled loop over shuffled batches;
- ``blocked``: full batch, ``blocked.train_steps_blocked``: blocks of examples in parallel lanes;
- ``blocked_minibatch``: a compiled blocked call per batch.
"""
import functools
from collections import namedtuple

from .kernels import CODES, blocked, dense
from .kernels._options import static
from .kernels.activations import sigmoidal_flag
from .kernels.heads import HEADS, kernel_head
from .kernels.optim import GD, OPTIMIZERS

PATHS = ("serial", "serial_minibatch", "blocked", "blocked_minibatch")

Plan = namedtuple("Plan", [
    "path",            # one of PATHS
    "layer_dims",      # tuple
    "m",               # examples of the fit
    "batch_size",      # None: full batch
    "dtype",           # numpy dtype name
    "activation",      # kernel code of the hidden activation
    "head",            # the kernels' head argument (heads.kernel_head: None = plain sigmoid)
    "optimizer",       # kernel code of the optimizer (kernels.optim), a Static
    "keep_prob",       # 1.0: no dropout (the trainers get None and compile no dropout code)
    "sigmoidal",       # activations.sigmoidal_flag: tanh/sigmoid compiled in, or None
    "split",           # serial trainer: True if some product runs as parallel parts, else None
    "threads",         # whether the fit needs the thread owner (parallel parts or BLAS calls)
    "weighted",        # Y carries a row of per-example weights under its targets (kernels.heads)
])


def plan(layer_dims, m, batch_size, dtype, activation, head, optimizer, keep_prob=1.0,
         path=None, weighted=False):
    """The Plan of a fit. ``activation``, ``head`` and ``optimizer`` are names (as ``Model``
    takes them); ``path`` forces one of ``PATHS`` (the tests run every feature on every path)."""
    return _plan(tuple(int(d) for d in layer_dims), int(m), batch_size, str(dtype), activation,
                 head, optimizer, float(keep_prob), path, bool(weighted))


@functools.lru_cache(maxsize=256)  # a function of its arguments: a fit per epoch asks each time
def _plan(dims, m, batch_size, dtype, activation, head, optimizer, keep_prob, path, weighted):
    step_m = m if batch_size is None else batch_size
    if path is None:
        wide = blocked.use_blocked(dims, step_m, stateful=OPTIMIZERS[optimizer] != GD)
        path = ("blocked" if wide else "serial") + ("_minibatch" if batch_size else "")
    elif path not in PATHS:
        raise ValueError(f"path must be one of {', '.join(PATHS)}, got {path!r}")
    elif path.endswith("_minibatch") != (batch_size is not None):
        raise ValueError(f"path {path!r} needs "
                         + ("a batch_size < m" if batch_size is None else "full batches"))
    code = CODES[activation]
    return Plan(
        path=path, layer_dims=dims, m=int(m), batch_size=batch_size, dtype=str(dtype),
        activation=code, head=kernel_head(HEADS[head], weighted),
        optimizer=static(OPTIMIZERS[optimizer]),
        keep_prob=float(keep_prob), sigmoidal=sigmoidal_flag(code),
        split=True if dense.splits(dims, step_m) else None,
        threads=path.startswith("blocked") or dense.calls_blas(dims), weighted=bool(weighted))
