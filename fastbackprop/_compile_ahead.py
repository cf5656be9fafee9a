"""Compile part of a cold fit's trainer on the second core while this process compiles the rest.

numba compiles one function at a time in a process, and a cold first fit is numba compiling:
one core works, the other waits. So when a fit is about to compile its trainer (it is neither in
this process nor in the on-disk cache), a helper process compiles a large part of it into the
on-disk cache: the serial trainer's backward kernel (``network.serial_trainer_parts``) or the
blocked trainer's block pass (``blocked.run_blocked_parts``) or L-BFGS's backward kernel
(``network.cost_and_grad_parts``), each called through its address. Meanwhile this process
compiles the rest (``compiled_apart``); a compile of a part's signature here first waits for the
helper, and numba then loads the part's machine code from the cache (docs/engine.md, "Compiling
on two cores").

The helper only ever fills the cache: the code it compiles is the code this process would have
compiled (same sources, same signature, same options), so results are the same bits. Anything
that goes wrong (no second core, no writable cache, a helper that fails or takes too long, a
numba whose internals differ) leaves numba to compile in this process, as without the helper.
``FASTBACKPROP_COMPILE_AHEAD=0`` turns it off.
"""
import contextlib
import importlib
import os
import pickle
import subprocess
import sys
import time

import select

from numba.core import config

ENV = "FASTBACKPROP_COMPILE_AHEAD"
TIMEOUT = 120.0  # s: a helper slower than this is abandoned (this process compiles instead)
_select = None if os.name == "nt" else select  # select takes no pipes on Windows


def cores():
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def enabled():
    return os.environ.get(ENV, "1") != "0" and not config.DISABLE_JIT and cores() >= 2


def start(caller, caller_types, parts):
    """A helper compiling ``parts()`` (``[(kernel, signature)]``) into the cache, if the kernel
    ``caller`` has no machine code for ``caller_types()`` yet (in this process or on disk);
    else, or when the helper cannot help, ``NOTHING``. Close it when the call has run. (Both
    are functions, called here, so that anything they raise only turns the helper off.)"""
    if not enabled():
        return NOTHING
    try:
        if not would_compile(caller, caller_types()):
            return NOTHING
        parts = [(d, tuple(sig)) for d, sig in parts() if would_compile(d, sig)]
        if not parts or not sys.executable:
            return NOTHING
        return _Helper(parts)
    except Exception:  # a numba whose internals differ, no process to start: numba compiles
        return NOTHING


class _Nothing:
    def close(self):
        pass


NOTHING = _Nothing()


class _Helper:
    """The helper process, and a hook on each part's dispatcher: its compile of that signature
    first waits for the helper to report that part done (a line on its stdout), so that numba
    then finds the machine code in the cache."""

    def __init__(self, parts):
        # the path first, so that the helper imports this fastbackprop before unpickling types
        job = pickle.dumps((list(sys.path), os.path.dirname(os.path.abspath(__file__)),
                            pickle.dumps([(d.py_func.__module__, d.py_func.__name__, sig)
                                          for d, sig in parts])))
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _HELPER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL)
        self.done = 0  # parts the helper reported compiled, in order
        self.deadline = time.monotonic() + TIMEOUT
        try:
            self.proc.stdin.write(job)
            self.proc.stdin.close()
        except OSError:  # the helper died at once: it compiles nothing
            pass
        self.hooked = []
        for i, (dispatcher, sig) in enumerate(parts):
            self._hook(dispatcher, sig, i)

    def _hook(self, dispatcher, sig, i):
        compile_ = dispatcher.compile

        def compile(s, *rest, **kw):
            if tuple(s) == tuple(sig):
                self.wait(i)
            return compile_(s, *rest, **kw)

        dispatcher.compile = compile  # an instance attribute over the class's method
        self.hooked.append(dispatcher)

    def wait(self, i):
        """Until part i is in the cache, or the helper has ended or run out of time."""
        while self.done <= i:
            left = self.deadline - time.monotonic()
            if left <= 0 or not self._readable(left):
                self.proc.kill()
                return
            if not self.proc.stdout.readline():  # the helper ended (or failed)
                return
            self.done += 1

    def _readable(self, seconds):
        if _select is None:  # no select on pipes (Windows): wait for the whole helper
            try:
                self.proc.wait(seconds)
            except subprocess.TimeoutExpired:
                return False
            return True
        return bool(_select.select([self.proc.stdout], [], [], seconds)[0])

    def close(self):
        """Unhook; a helper still running compiled something the fit did not need: stop it."""
        for dispatcher in self.hooked:
            dispatcher.__dict__.pop("compile", None)
        self.hooked = []
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()


@contextlib.contextmanager
def compiled_apart(kernel, kernel_types, parts, key):
    """Around a kernel's first call, for a kernel that calls its largest part through the
    part's address (``kernels._native``: the trainers, L-BFGS's objective): if the kernel would
    compile, it is compiled here, now, for ``kernel_types()``, while a helper compiles
    ``parts()``; the two are compiled apart, so neither waits for the other, and the parts then
    load from the cache.

    ``key`` (hashable: the kernel's plan and its data's types) marks calls that have run in
    this process; for those nothing is checked again: typing the arguments to ask was a
    millisecond of every small fit (docs/performance.md, "Fixed costs of a small fit")."""
    if key in _RAN:
        yield
        return
    helper = start(kernel, kernel_types, parts)
    try:
        if helper is not NOTHING:
            kernel.compile(kernel_types())
        yield
    finally:
        helper.close()
    _RAN.add(key)


def has_run(key):
    """Whether a ``compiled_apart`` call of ``key`` has run in this process."""
    return key in _RAN


_RAN = set()  # the keys of the compiled_apart calls that have run


def would_compile(dispatcher, sig):
    """Neither compiled in this process nor in the on-disk cache (numba's caching internals:
    any difference raises, and the caller then leaves it to numba)."""
    if tuple(sig) in dispatcher.overloads:
        return False
    cache = dispatcher._cache
    index = cache._cache_file._load_index()
    return cache._index_key(tuple(sig), dispatcher.targetctx.codegen()) not in index


_HELPER = """\
import pickle, sys
path, package, parts = pickle.load(sys.stdin.buffer)
sys.path[:] = path
from fastbackprop import _compile_ahead
_compile_ahead.compile_parts(package, parts)
"""


def compile_parts(package, parts):
    """The helper's work: each (module, kernel, signature) compiled into the cache, if this is
    the parent's fastbackprop (another one would fill another cache key)."""
    if os.path.dirname(os.path.abspath(__file__)) != package:
        sys.exit(3)
    for module, name, sig in pickle.loads(parts):
        getattr(importlib.import_module(module), name).compile(sig)
        print(name, flush=True)  # this part is in the cache
