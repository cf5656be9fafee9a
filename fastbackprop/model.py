"""``fastbackprop.Model``: a dense binary classifier trained by gradient descent, full-batch or
by minibatches.

Parameters live in one flat vector (``kernels.network``); ``parameters`` gives them back in the
course's dict layout. Training runs in compiled chunks of iterations, returning to Python only to
record and print costs, advance the progress bar and let Ctrl-C through at an iteration boundary.
"""
import contextlib
import math
import os
import signal
import sys
import tempfile
import threading
import time
import zipfile
from collections import namedtuple

import numpy as np

try:  # the C functions behind signal.signal/getsignal, whose enum conversions took 8 of a
    # fit's 43 µs (0.6 µs without): the same handlers, SIG_DFL/SIG_IGN as plain ints
    import _signal as _raw_signal
except ImportError:  # not CPython
    _raw_signal = signal

from . import _init, _threads, _validate
from .kernels import CODES, make_workspace, n_parameters
from .kernels import blocked, dense, minibatch, network
from .kernels.activations import sigmoidal_flag

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
        seed = _validate.seed(seed)
        self._shuffle_seed = _shuffle_seed(seed)
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
        Ws = [_validate.array(parameters[f"W{l}"], f"parameters['W{l}']")
              for l in range(1, L + 1)]
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
        model._shuffle_seed = _shuffle_seed(None)
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
                name = f"parameters['{key}']"
                value = _validate.array(parameters[key], name)
                if value.shape != shape:
                    raise ValueError(f"{name} must have shape {shape}, got {value.shape}")
                _validate.finite(value, name)
                value = _validate.convert(value, self.dtype, name)
                theta[off:off + value.size] = value.ravel()
                off += value.size
        self._theta = theta
        self._dims = np.array(dims, np.int64)
        self._workspace = None
        self._lock = threading.RLock()

    @property
    def parameters(self):
        """Copies of the parameters as the course's dict: W1 (n1, n0), b1 (n1, 1), …

        While another thread runs ``fit`` on this model, this waits for it to finish (so the
        copy is never torn between two iterations)."""
        with self._lock:
            return self._parameters()

    def _parameters(self):
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

    def _workspace_for(self, m, use_blocked=False, batch_size=None):
        key = (m, use_blocked, batch_size)
        if self._workspace is None or self._workspace_key != key:
            dims, dtype = self.layer_dims, self.dtype
            if batch_size is not None:
                shuffle_buffers = minibatch.make_shuffle_buffers(dims[0], m, dtype)
                if use_blocked:  # blocked trainer per batch; the last batch by its own size
                    last = m % batch_size
                    last_ws = None if last == 0 else (
                        blocked.make_blocked_workspace(dims, last, dtype)
                        if blocked.use_blocked(dims, last) else make_workspace(dims, last, dtype))
                    self._workspace = _BlockedMinibatchWorkspace(
                        blocked.make_blocked_workspace(dims, batch_size, dtype), last_ws,
                        *shuffle_buffers)
                else:
                    self._workspace = _MinibatchWorkspace(
                        make_workspace(dims, batch_size, dtype), *shuffle_buffers)
            elif use_blocked:
                self._workspace = blocked.make_blocked_workspace(dims, m, dtype)
            else:
                self._workspace = make_workspace(dims, m, dtype)
            self._workspace_key = key
            self._first_chunk = 1  # iterations in a fit's first compiled call (see _train)
        return self._workspace

    def _inputs(self, X, Y=None):
        X = _validate.features(X, self.layer_dims[0], self.dtype)
        if Y is None:
            return X
        return X, _validate.labels(Y, X.shape[1], self.dtype)

    def fit(self, X, Y, learning_rate=0.0075, num_iterations=3000, record_every=100,
            print_cost=False, progress=None, n_threads=None, batch_size=None, seed=None):
        """Gradient descent, continuing from the current parameters. Returns self.

        An iteration is one pass over the m examples. Full-batch by default: one step per
        iteration. With ``batch_size`` < m, each iteration (epoch) shuffles the examples and takes
        one step per batch of ``batch_size`` (the last batch holds the remainder, as the course's
        ``random_mini_batches``), each step's gradient averaged over its batch. The shuffle
        depends only on ``seed`` (None: the model's, the constructor's ``seed``; a model without
        one, or from ``load``/``from_parameters``, draws a fresh one) and the iteration number,
        so one long fit and several short ones give the same parameters. The minibatch path
        keeps one shuffled copy of X.

        The cost before the update of every ``record_every``-th iteration (counted over all fits)
        is appended to ``costs`` as (iteration, cost) and printed if ``print_cost``; with
        minibatches it is the mean over the examples of each batch's cost before that batch's
        update (the course's ``cost_total / m``). ``progress`` shows a tqdm bar: True, False, or
        None for "when stderr is a terminal and the run is long". Ctrl-C stops at an iteration
        boundary, keeps what was trained and re-raises. ``n_threads`` caps numba's threads for
        this call (the BLAS runs single-threaded inside; None: the default of
        ``fastbackprop._threads.set_num_threads``, else numba's); both are restored on return.
        The parameters do not depend on it.
        """
        X, Y = self._inputs(X, Y)
        n_threads = _threads.check(n_threads)
        learning_rate = _validate.learning_rate(learning_rate)
        num_iterations = _validate.count(num_iterations, "num_iterations")
        record_every = _validate.count(record_every or 0, "record_every")
        if batch_size is not None:
            batch_size = _validate.count(batch_size, "batch_size", minimum=1)
            if batch_size >= X.shape[1]:
                batch_size = None  # one batch of all the examples: full-batch descent
        seed = self._shuffle_seed if seed is None else _shuffle_seed(_validate.seed(seed))
        with self._lock:
            start = (self._theta.copy(), self.iterations, len(self.costs))
            finite = [True]  # False once the cost is NaN/inf (set by _train)
            try:
                self._train(X, Y, learning_rate, num_iterations, record_every, print_cost,
                            progress, finite, n_threads, batch_size, seed)
            except BaseException:  # Ctrl-C keeps what was trained, unless it is garbage
                if not finite[0] or not np.isfinite(self._theta).all():
                    self._restore(start)
                raise
            if not finite[0] or not np.isfinite(self._theta).all():
                diverged_by = self.iterations
                self._restore(start)
                raise ValueError(f"training diverged: the cost or the parameters became NaN or "
                                 f"inf by iteration {diverged_by}; the model is left as it was "
                                 f"before this fit. Lower learning_rate (got {learning_rate}) "
                                 f"or scale X.")
        return self

    def _restore(self, start):
        theta, iterations, n_costs = start
        self._theta[:] = theta
        self.iterations = iterations
        del self.costs[n_costs:]

    def _train(self, X, Y, learning_rate, num_iterations, record_every, print_cost, progress,
               finite, n_threads=None, batch_size=None, seed=0):
        """The compiled loop. Stops early with finite[0] = False if the cost is NaN/inf."""
        # the trainer by the shapes of one step: all m examples, or a batch
        use_blocked = blocked.use_blocked(self.layer_dims, batch_size or X.shape[1])
        ws = self._workspace_for(X.shape[1], use_blocked, batch_size)
        activation = CODES[self.hidden_activation]
        if batch_size is not None and use_blocked:
            def steps(n):
                return self._blocked_epochs(ws, X, Y, activation, learning_rate, n, batch_size,
                                            seed, lanes)
        elif use_blocked:
            fill_Xt = True  # the first compiled call of this fit copies X into ws.Xt

            def steps(n):
                nonlocal fill_Xt
                cost = blocked.run_blocked(self._theta, self._dims, ws, X, Y, activation,
                                           learning_rate, n, lanes, fill_Xt)
                fill_Xt = False
                return cost
        else:
            # full batch, or minibatches (shuffled into ws.Xs each epoch) through the same loop
            net = ws.net if batch_size is not None else ws

            def steps(n):
                shuffle = None if batch_size is None else minibatch.Shuffle(
                    batch_size, seed, self.iterations, ws.order, ws.Xs, ws.Ys, ws.row)
                return network.train_steps_split(self._theta, self._dims, X, Y, activation,
                                                 learning_rate, n, net.acts, net.AL, net.D0,
                                                 net.D1, net.grad, True, shuffle,
                                                 sigmoidal_flag(activation))
        # numba's threads and the BLAS's matter only where the trainer runs parallel parts or
        # BLAS calls
        owner = _threads.owner(n_threads) if use_blocked or dense.calls_blas(self.layer_dims) \
            else contextlib.nullcontext()
        bar = _progress_bar(progress, num_iterations)
        # Chunks start where the last fit on this workspace left them, so repeated short fits
        # (the course's loops, the benchmark) make one compiled call each, not 1, 2, 4, ...
        chunk = self._first_chunk
        done = 0
        # SIGINT is held back while training and delivered only after a chunk's bookkeeping, so a
        # KeyboardInterrupt can never land between the compiled step (theta updated) and the
        # lines that count it (iterations, costs). One flag test per chunk: the loop is as fast.
        sigint = _DeferredSigint()
        owner.__enter__()
        try:
            if use_blocked:  # a lane per thread the owner allows
                lanes = blocked.lanes_for(ws if batch_size is None else ws.net)
            sigint.__enter__()
            while done < num_iterations:
                it = self.iterations
                record = record_every > 0 and it % record_every == 0
                n = num_iterations - done
                if record_every:
                    n = min(n, record_every - it % record_every)
                n = min(n, chunk)
                start = time.perf_counter()
                cost = steps(n)
                # bookkeeping that must stay together with the step above (see Ctrl-C note)
                self.iterations += n
                done += n
                if record:
                    self.costs.append((it, float(cost)))
                    if print_cost:
                        print(f"Cost after iteration {it}: {cost}")
                if bar is not None:
                    bar.update(n)
                if not math.isfinite(cost):  # NaN/inf outputs before this chunk: diverged
                    finite[0] = False
                    return  # fit() restores the parameters and raises
                if time.perf_counter() - start < _CHUNK_SECONDS and n == chunk:
                    chunk *= 2
                    self._first_chunk = chunk
                sigint.deliver()  # the model is consistent here: Ctrl-C may raise now
        finally:
            try:
                owner.__exit__(None, None, None)
                sigint.__exit__()
            finally:
                if bar is not None:
                    bar.close()

    def _blocked_epochs(self, ws, X, Y, activation, learning_rate, n, batch_size, seed, lanes):
        """n minibatch epochs whose batches are big enough for the blocked trainer: a compiled
        call per batch from here (the blocked trainer is a parallel kernel, which another cached
        kernel may not call: ``_options.jit_parallel_callee``), the shuffle as in
        ``network.train_steps_split``. Returns the first epoch's cost. On c's net in batches of
        256 the serial trainer's compiled epochs were slower than a ``fit`` per batch (1.03
        against 0.92 ms per step), this path faster (1.21 against 1.57, in a slower hour)."""
        n_x, m = X.shape
        theta, dims = self._theta, self._dims
        cost = math.nan
        block_passes = {}  # per batch size: every batch of a size has the same array types
        for epoch in range(n):
            minibatch.permutation(seed, self.iterations + epoch, ws.order)
            minibatch.shuffle_into(X, Y, ws.order, batch_size, ws.Xs, ws.Ys, ws.row)
            total = 0.0
            for start in range(0, m, batch_size):
                mb = min(batch_size, m - start)
                Xb = ws.Xs[n_x * start:n_x * (start + mb)].reshape(n_x, mb)
                Yb = ws.Ys[start:start + mb].reshape(1, mb)
                step_ws = ws.net if mb == batch_size else ws.last
                if isinstance(step_ws, blocked.BlockedWorkspace):
                    if mb not in block_passes:
                        block_passes[mb] = blocked.block_pass_for(theta, dims, step_ws, Yb,
                                                                  activation)
                    c = blocked.run_blocked(theta, dims, step_ws, Xb, Yb, activation,
                                            learning_rate, 1, lanes, block_pass=block_passes[mb])
                else:
                    c = network.train_steps_split(theta, dims, Xb, Yb, activation,
                                                  learning_rate, 1, step_ws.acts, step_ws.AL,
                                                  step_ws.D0, step_ws.D1, step_ws.grad, True,
                                                  None, sigmoidal_flag(activation))
                total += c * mb
            if epoch == 0:
                cost = total / m
        return cost

    # -- inference -----------------------------------------------------------------------------

    def predict_proba(self, X):
        """sigmoid output, shape (1, m)."""
        X = self._inputs(X)
        ws = make_workspace(self.layer_dims, X.shape[1], self.dtype)
        with self._lock:
            code = CODES[self.hidden_activation]
            network.predict_proba(self._theta, self._dims, X, code, ws.acts, ws.AL,
                                  sigmoidal_flag(code))
        return ws.AL

    def predict(self, X):
        """0/1 labels, shape (1, m): 1 where the probability exceeds 0.5."""
        return (self.predict_proba(X) > 0.5).astype(self.dtype)

    def cost(self, X, Y):
        """Mean binary cross-entropy on (X, Y), a float."""
        X, Y = self._inputs(X, Y)
        ws = make_workspace(self.layer_dims, X.shape[1], self.dtype)
        with self._lock:
            code = CODES[self.hidden_activation]
            return float(network.cost(self._theta, self._dims, X, Y, code, ws.acts,
                                      sigmoidal_flag(code)))

    # -- persistence ---------------------------------------------------------------------------

    def save(self, path):
        """Write one .npz (parameters, layer_dims, activation, dtype, costs, format version).

        The file is written beside the target and renamed over it, so a crash mid-save never
        destroys a previous file and never leaves a partial one under ``path``."""
        path = os.fspath(path)
        with self._lock:  # a consistent snapshot even while another thread fits
            arrays = self._parameters()
            arrays.update(
                format_version=np.array(FORMAT_VERSION, np.int64),
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
        """A model saved by ``save``. Checks the format version, every array's presence, dtype
        and shape; a file that is not one (truncated, foreign, newer) gives ValueError naming
        the path and what is wrong."""
        path = os.fspath(path)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"model file not found: {path}")
        arrays = _read_npz(path)

        def bad(what):
            return ValueError(f"{path}: not a valid fastbackprop model file: {what}")

        version = arrays.get("format_version")
        if version is None:
            raise bad("no format_version (was it written by Model.save?)")
        if version.shape != () or version.dtype.kind not in "iu" or int(version) < 1:
            raise bad(f"format_version must be an integer >= 1, got {version!r}")
        if int(version) > FORMAT_VERSION:
            raise ValueError(f"{path}: model format version {int(version)} is newer than this "
                             f"fastbackprop reads ({FORMAT_VERSION}); upgrade fastbackprop")
        for key in ("layer_dims", "hidden_activation", "dtype"):
            if key not in arrays:
                raise bad(f"it lacks {key}")
        dims = arrays["layer_dims"]
        if dims.ndim != 1 or dims.dtype.kind not in "iu":
            raise bad(f"layer_dims must be a 1-D integer array, got {dims.dtype} of shape "
                      f"{dims.shape}")
        for key in ("hidden_activation", "dtype"):
            if arrays[key].shape != () or arrays[key].dtype.kind != "U":
                raise bad(f"{key} must be a string, got {arrays[key]!r}")
        try:
            layer_dims = _validate.layer_dims(dims.tolist(), "layer_dims")
            activation = _validate.activation(str(arrays["hidden_activation"]))
            dtype = _validate.dtype(str(arrays["dtype"]))
        except (TypeError, ValueError) as exc:
            raise bad(str(exc)) from None
        L = len(layer_dims) - 1
        expected = {f"{p}{l}" for l in range(1, L + 1) for p in "Wb"}
        known = expected | {"format_version", "layer_dims", "hidden_activation", "dtype",
                            "costs", "iterations"}
        missing = sorted(expected - set(arrays))
        if missing:
            raise bad(f"it lacks {', '.join(missing)} for layer_dims {layer_dims}")
        extra = sorted(set(arrays) - known)
        if extra:
            raise bad(f"unexpected arrays {', '.join(extra)} for layer_dims {layer_dims}")
        parameters = {key: arrays[key] for key in sorted(expected)}
        for l in range(1, L + 1):
            for key, shape in ((f"W{l}", (layer_dims[l], layer_dims[l - 1])),
                               (f"b{l}", (layer_dims[l], 1))):
                value = parameters[key]
                if value.shape != shape:
                    raise bad(f"{key} has shape {value.shape}, but layer_dims {layer_dims} "
                              f"needs {shape}")
                if value.dtype != dtype:
                    raise bad(f"{key} has dtype {value.dtype}, but the file says {dtype.name}")
        try:
            model = cls.from_parameters(parameters, activation, dtype)
        except (TypeError, ValueError) as exc:
            raise bad(str(exc)) from None
        costs = arrays.get("costs", np.zeros((0, 2)))
        if costs.ndim != 2 or costs.shape[1] != 2 or costs.dtype.kind != "f":
            raise bad(f"costs must be a float array of shape (k, 2), got {costs.dtype} of "
                      f"shape {costs.shape}")
        iterations = arrays.get("iterations", np.array(0))
        if iterations.shape != () or iterations.dtype.kind not in "iu" or int(iterations) < 0:
            raise bad(f"iterations must be an integer >= 0, got {iterations!r}")
        model.costs = [(int(i), float(c)) for i, c in costs]
        model.iterations = int(iterations)
        return model

    def __getstate__(self):
        with self._lock:  # not torn by a fit running in another thread
            state = {k: v for k, v in self.__dict__.items() if k not in ("_workspace", "_lock")}
            state["_theta"] = self._theta.copy()
            state["costs"] = list(self.costs)
        return state

    def __setstate__(self, state):
        state.setdefault("_shuffle_seed", _shuffle_seed(None))  # pickled before minibatches
        self.__dict__.update(state)
        self._workspace = None
        self._lock = threading.RLock()


_MinibatchWorkspace = namedtuple("MinibatchWorkspace", "net order Xs Ys row")
# net: the blocked trainer's workspace for a batch; last: one for the last, smaller batch
# (blocked or serial, by its size), or None when batch_size divides m
_BlockedMinibatchWorkspace = namedtuple("BlockedMinibatchWorkspace",
                                        "net last order Xs Ys row")


def _shuffle_seed(seed):
    """A minibatch shuffle seed from ``seed`` (None: fresh entropy), in 63 bits: the kernels take
    it as an int64."""
    if seed is None:
        return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(1))
    return seed & (2 ** 63 - 1)


def _read_npz(path):
    """Every array of the .npz at path, read with pickles refused; ValueError if it is not one."""
    try:
        data = np.load(path, allow_pickle=False)
    except Exception as exc:  # zip errors, EOFError, pickled objects, bad magic …
        raise ValueError(f"{path}: not a fastbackprop model file ({type(exc).__name__}: "
                         f"{exc})") from None
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise ValueError(f"{path}: not a fastbackprop model file (a single .npy array, not an "
                         f".npz archive)")
    try:
        with data:
            return {key: data[key] for key in data.files}
    except Exception as exc:  # truncated or corrupted members
        raise ValueError(f"{path}: not a fastbackprop model file, or a damaged one "
                         f"({type(exc).__name__}: {exc})") from None


def _progress_bar(progress, total):
    if progress is None:
        progress = total >= 1000 and sys.stderr.isatty()
    if not progress:
        return None
    from tqdm.auto import tqdm
    return tqdm(total=total, unit="it", leave=False)


class _DeferredSigint:
    """Holds SIGINT back while training and hands it to the previous handler at a safe point.

    Only the main thread receives signals, so elsewhere (and when SIGINT is ignored or left to
    the OS) this does nothing."""

    def __init__(self):
        self.previous = None
        self.pending = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            previous = _raw_signal.getsignal(signal.SIGINT)
            if callable(previous):
                _raw_signal.signal(signal.SIGINT, self._hold)
                self.previous = previous
        return self

    def _hold(self, signum, frame):
        self.pending = (signum, frame)

    def deliver(self):
        """Run the previous handler for a held-back SIGINT (normally: raise KeyboardInterrupt)."""
        if self.pending is not None:
            signum, frame = self.pending
            self.pending = None
            self.previous(signum, frame)

    def __exit__(self, *exc_info):
        if self.previous is not None:
            _raw_signal.signal(signal.SIGINT, self.previous)
            self.deliver()
            self.previous = None
