"""``fastbackprop.Model``: a dense binary classifier trained by full-batch gradient descent.

Parameters live in one flat vector (``kernels.network``); ``parameters`` gives them back in the
course's dict layout. Training runs in compiled chunks of iterations, returning to Python only to
record and print costs, advance the progress bar and let Ctrl-C through at an iteration boundary.
"""
import os
import sys
import tempfile
import threading
import time
import zipfile

import numpy as np

from . import _init, _validate
from .kernels import CODES, make_workspace, n_parameters
from .kernels import network

FORMAT_VERSION = 1
_CHUNK_SECONDS = 0.05  # compiled chunks this long keep Ctrl-C and the progress bar responsive


class Model:
    """Dense network: hidden layers with ``hidden_activation``, one sigmoid output unit.

    >>> model = Model([2, 4, 1], hidden_activation="tanh", seed=0)
    >>> model.fit(X, Y, learning_rate=1.2, num_iterations=1000).predict(X)
    """

    def __init__(self, layer_dims, hidden_activation="relu", dtype="float64", seed=None,
                 init=None):
        self.layer_dims = _validate.layer_dims(layer_dims)
        self.hidden_activation = _validate.activation(hidden_activation)
        self.dtype = _validate.dtype(dtype)
        scheme = _init.default_scheme(self.hidden_activation) if init is None else init
        self._set_theta(_init.initialize(self.layer_dims, scheme, seed, self.dtype))
        self.costs = []
        self.iterations = 0  # iterations trained so far, over all calls to fit

    # -- construction from and export to the course's dict layout ------------------------------

    @classmethod
    def from_parameters(cls, parameters, hidden_activation="relu", dtype=None):
        """A model holding copies of ``parameters`` (W1, b1, …, WL, bL in course shapes)."""
        if not isinstance(parameters, dict):
            raise TypeError(f"parameters must be a dict with keys W1, b1, …, got "
                            f"{type(parameters).__name__}")
        L = len(parameters) // 2
        expected = {f"{p}{l}" for l in range(1, L + 1) for p in "Wb"}
        if L < 1 or set(parameters) != expected:
            raise ValueError(f"parameters must have exactly the keys W1, b1, …, WL, bL; "
                             f"got {sorted(parameters)}")
        Ws = [np.asarray(parameters[f"W{l}"]) for l in range(1, L + 1)]
        for l, W in enumerate(Ws, 1):
            if W.ndim != 2:
                raise ValueError(f"parameters['W{l}'] must be 2-D, got shape {W.shape}")
        layer_dims = [Ws[0].shape[1]] + [W.shape[0] for W in Ws]
        if dtype is None:
            dtype = Ws[0].dtype if Ws[0].dtype.name in _validate.DTYPES else "float64"
        model = cls.__new__(cls)
        model.layer_dims = _validate.layer_dims(layer_dims, "layer_dims (from parameters)")
        model.hidden_activation = _validate.activation(hidden_activation)
        model.dtype = _validate.dtype(dtype)
        model._set_theta(parameters)
        model.costs = []
        model.iterations = 0
        return model

    def _set_theta(self, parameters):
        dims = self.layer_dims
        theta = np.empty(n_parameters(dims), self.dtype)
        off = 0
        for l in range(1, len(dims)):
            n, k = dims[l], dims[l - 1]
            for key, shape in ((f"W{l}", (n, k)), (f"b{l}", (n, 1))):
                value = np.asarray(parameters[key])
                if value.shape != shape:
                    raise ValueError(f"parameters['{key}'] must have shape {shape}, "
                                     f"got {value.shape}")
                if not np.isfinite(value).all():
                    raise ValueError(f"parameters['{key}'] contains NaN or inf")
                theta[off:off + value.size] = value.ravel()
                off += value.size
        self._theta = theta
        self._dims = np.array(dims, np.int64)
        self._workspace = None
        self._lock = threading.Lock()

    @property
    def parameters(self):
        """Copies of the parameters as the course's dict: W1 (n1, n0), b1 (n1, 1), …"""
        out = {}
        off = 0
        dims = self.layer_dims
        for l in range(1, len(dims)):
            n, k = dims[l], dims[l - 1]
            out[f"W{l}"] = self._theta[off:off + n * k].reshape(n, k).copy()
            off += n * k
            out[f"b{l}"] = self._theta[off:off + n].reshape(n, 1).copy()
            off += n
        return out

    def __repr__(self):
        return (f"Model(layer_dims={self.layer_dims}, hidden_activation="
                f"{self.hidden_activation!r}, dtype={self.dtype.name!r})")

    # -- training ------------------------------------------------------------------------------

    def _workspace_for(self, m):
        if self._workspace is None or self._workspace.m != m:
            self._workspace = make_workspace(self.layer_dims, m, self.dtype)
        return self._workspace

    def _inputs(self, X, Y=None):
        X = _validate.features(X, self.layer_dims[0], self.dtype)
        if Y is None:
            return X
        return X, _validate.labels(Y, X.shape[1], self.dtype)

    def fit(self, X, Y, learning_rate=0.0075, num_iterations=3000, record_every=100,
            print_cost=False, progress=None):
        """Full-batch gradient descent, continuing from the current parameters. Returns self.

        The cost before the update of every ``record_every``-th iteration (counted over all fits)
        is appended to ``costs`` as (iteration, cost) and printed if ``print_cost``. ``progress``
        shows a tqdm bar: True, False, or None for "when stderr is a terminal and the run is
        long". Ctrl-C stops at an iteration boundary, keeps what was trained and re-raises.
        """
        X, Y = self._inputs(X, Y)
        learning_rate = _validate.learning_rate(learning_rate)
        num_iterations = _validate.count(num_iterations, "num_iterations")
        record_every = _validate.count(record_every or 0, "record_every")
        with self._lock:
            self._train(X, Y, learning_rate, num_iterations, record_every, print_cost, progress)
        return self

    def _train(self, X, Y, learning_rate, num_iterations, record_every, print_cost, progress):
        ws = self._workspace_for(X.shape[1])
        activation = CODES[self.hidden_activation]
        bar = _progress_bar(progress, num_iterations)
        chunk = 1
        done = 0
        try:
            while done < num_iterations:
                it = self.iterations
                record = record_every > 0 and it % record_every == 0
                n = num_iterations - done
                if record_every:
                    n = min(n, record_every - it % record_every)
                n = min(n, chunk)
                start = time.perf_counter()
                cost = network.train_steps(self._theta, self._dims, X, Y, activation,
                                           learning_rate, n, ws.acts, ws.AL, ws.D0, ws.D1,
                                           ws.grad)
                # bookkeeping that must stay together with the step above (see Ctrl-C note)
                self.iterations += n
                done += n
                if record:
                    self.costs.append((it, float(cost)))
                    if print_cost:
                        print(f"Cost after iteration {it}: {cost}")
                if bar is not None:
                    bar.update(n)
                if time.perf_counter() - start < _CHUNK_SECONDS:
                    chunk *= 2
        finally:
            if bar is not None:
                bar.close()

    # -- inference -----------------------------------------------------------------------------

    def predict_proba(self, X):
        """sigmoid output, shape (1, m)."""
        X = self._inputs(X)
        ws = make_workspace(self.layer_dims, X.shape[1], self.dtype)
        network.predict_proba(self._theta, self._dims, X, CODES[self.hidden_activation],
                              ws.acts, ws.AL)
        return ws.AL

    def predict(self, X):
        """0/1 labels, shape (1, m): 1 where the probability exceeds 0.5."""
        return (self.predict_proba(X) > 0.5).astype(self.dtype)

    def cost(self, X, Y):
        """Mean binary cross-entropy on (X, Y), a float."""
        X, Y = self._inputs(X, Y)
        ws = make_workspace(self.layer_dims, X.shape[1], self.dtype)
        return float(network.cost(self._theta, self._dims, X, Y, CODES[self.hidden_activation],
                                  ws.acts))

    # -- persistence ---------------------------------------------------------------------------

    def save(self, path):
        """Write one .npz (parameters, layer_dims, activation, dtype, costs, format version).

        The file is written beside the target and renamed over it, so a crash mid-save never
        destroys a previous file."""
        path = os.fspath(path)
        arrays = dict(self.parameters)
        arrays.update(
            format_version=np.array(FORMAT_VERSION),
            layer_dims=np.array(self.layer_dims, np.int64),
            hidden_activation=np.array(self.hidden_activation),
            dtype=np.array(self.dtype.name),
            costs=np.array(self.costs, np.float64).reshape(-1, 2),
            iterations=np.array(self.iterations, np.int64),
        )
        folder = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".fastbackprop-", suffix=".npz.tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, **arrays)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.remove(tmp)
            raise

    @classmethod
    def load(cls, path):
        """A model saved by ``save``; checks the format version and every shape."""
        path = os.fspath(path)
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {key: data[key] for key in data.files}
        except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
            raise ValueError(f"{path}: not a fastbackprop model file ({exc})") from None
        if not isinstance(arrays, dict) or "format_version" not in arrays:
            raise ValueError(f"{path}: not a fastbackprop model file (no format_version)")
        version = int(arrays["format_version"])
        if version > FORMAT_VERSION:
            raise ValueError(f"{path}: model format version {version} is newer than this "
                             f"fastbackprop reads ({FORMAT_VERSION}); upgrade fastbackprop")
        try:
            layer_dims = [int(d) for d in arrays["layer_dims"]]
            activation = str(arrays["hidden_activation"])
            dtype = str(arrays["dtype"])
        except KeyError as exc:
            raise ValueError(f"{path}: model file lacks {exc}") from None
        L = len(layer_dims) - 1
        parameters = {}
        for l in range(1, L + 1):
            for key in (f"W{l}", f"b{l}"):
                if key not in arrays:
                    raise ValueError(f"{path}: model file lacks {key}")
                parameters[key] = arrays[key]
        model = cls.from_parameters(parameters, activation, dtype)
        if model.layer_dims != layer_dims:
            raise ValueError(f"{path}: parameters do not match layer_dims {layer_dims}")
        model.costs = [(int(i), float(c)) for i, c in arrays.get("costs", np.zeros((0, 2)))]
        model.iterations = int(arrays.get("iterations", 0))
        return model

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k not in ("_workspace", "_lock")}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._workspace = None
        self._lock = threading.Lock()


def _progress_bar(progress, total):
    if progress is None:
        progress = total >= 1000 and sys.stderr.isatty()
    if not progress:
        return None
    from tqdm.auto import tqdm
    return tqdm(total=total, unit="it", leave=False)
