"""Calling a compiled kernel through its address instead of linking its code in.

numba links every callee's LLVM module into each caller, and LLVM re-optimises and re-emits the
callee's machine code at every level above it; a ``prange`` adds three levels (its body and two
wrappers). The blocked trainer's block pass, called inside a ``prange``, was optimised and
emitted five times on every cold first fit (docs/performance.md, "Compile time"). Called through
its address, it is compiled once, in its own cached library, and the trainer stays small.

``native(dispatcher, args)`` compiles (or loads from the cache) the kernel for the numba types of
``args`` and returns a ``Native``: its address and that signature. A kernel takes it as an
argument and calls ``call(kernel, args)``. Its numba type carries the signature, so
- a call whose arguments differ from it is a typing error, never a call with the wrong layout;
- the caller is compiled and cached per signature, while the address is run-time data (the
  caller's cached machine code holds no address, so it stays valid in every process).
"""
import numba
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.core.typing.typeof import Purpose
from numba.core.errors import TypingError
from numba.extending import (NativeValue, intrinsic, models, overload, register_model,
                             typeof_impl, unbox)


class Native:
    """A kernel compiled for one signature: ``address`` of its native entry point."""

    def __init__(self, dispatcher, signature, address):
        self.dispatcher = dispatcher
        self.signature = signature
        self.address = address
        # numba types an argument of a class it does not know on every call; building the type
        # (its name spells out every argument type) was over half of a blocked call's Python
        # side (docs/performance.md, "Its cost per call")
        self.numba_type = NativeType(signature)
        # read by numba's dispatcher in C, so a call does not go through Python's typeof at
        # all (as ``_options.Static``)
        self._numba_type_ = self.numba_type

    def __repr__(self):
        return f"Native({self.dispatcher.py_func.__name__}{self.signature})"


class NativeType(types.Type):
    def __init__(self, signature):
        self.signature = signature
        super().__init__(name=f"Native{signature}")


@typeof_impl.register(Native)
def _typeof_native(value, context):
    return value.numba_type


@register_model(NativeType)
class _NativeModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, ir.IntType(64))


@unbox(NativeType)
def _unbox_native(typ, obj, c):
    address = c.pyapi.object_getattr_string(obj, "address")
    value = c.pyapi.long_as_longlong(address)
    c.pyapi.decref(address)
    return NativeValue(value, is_error=cgutils.is_not_null(c.builder, c.pyapi.err_occurred()))


try:  # numba's own dispatch key of a value's type, far cheaper than numba.typeof of an array
    # (docs/performance.md, "Looking a Native up by numba's dispatch fingerprints")
    from numba._dispatcher import compute_fingerprint
except ImportError:  # a numba without it: the types themselves, slower
    compute_fingerprint = numba.typeof


def _fingerprint(value):
    try:
        return compute_fingerprint(value)
    except (ValueError, NotImplementedError):  # a type numba's fast path does not know (Static)
        return numba.typeof(value)


def fingerprints(args):
    """A key of the numba types of ``args`` for a cache, at the cost of numba's own dispatch
    (equal keys, equal types)."""
    return tuple(_fingerprint(a) for a in args)


def argument_types(args):
    """The numba types of a call's arguments, as numba's dispatcher types them."""
    return tuple(numba.typeof(a, Purpose.argument) for a in args)


_NATIVE = {}  # (dispatcher, fingerprints or numba types of the arguments) -> Native


def native(dispatcher, args):
    """``dispatcher`` compiled for the numba types of ``args`` (now, or loaded from numba's
    cache, the first time), as a ``Native`` that compiled code can ``call``."""
    key = dispatcher, fingerprints(args)
    if key not in _NATIVE:
        _NATIVE[key] = native_of(dispatcher, tuple(numba.typeof(a) for a in args))
    return _NATIVE[key]


def native_of(dispatcher, sig):
    """``dispatcher`` compiled (or loaded from numba's cache) for the numba types ``sig``, as a
    ``Native``: for a caller that knows the signature it will call with, before it has the
    arguments (the serial trainer's backward kernel: ``network.backward_for``)."""
    key = dispatcher, tuple(sig)
    if key not in _NATIVE:  # (a key of types: the cache of ``native`` holds fingerprints)
        dispatcher.compile(key[1])
        cres = dispatcher.overloads[key[1]]
        _NATIVE[key] = Native(dispatcher, cres.signature,
                              cres.library.get_pointer_to_function(cres.fndesc.llvm_func_name))
    return _NATIVE[key]


_BY_FINGERPRINTS = {}  # (part_of, fingerprints of the arguments) -> Native


def native_by(args, part_of):
    """``native_of(*part_of(args))`` (``part_of`` gives a kernel and the signature a caller will
    call it with, from the caller's arguments), looked up by the fingerprints of ``args``: a few
    µs a call, where typing twenty arguments to find the signature took 0.2 ms, once a fit
    (docs/performance.md, "Fixed costs of a small fit")."""
    key = part_of, fingerprints(args)
    if key not in _BY_FINGERPRINTS:
        _BY_FINGERPRINTS[key] = native_of(*part_of(args))
    return _BY_FINGERPRINTS[key]


def call(kernel, args):
    """``kernel``'s function applied to the tuple ``args``. In compiled code: a call through
    its address (``args`` must have exactly its signature's types); from Python (a kernel's
    ``py_func``): its dispatcher."""
    return kernel.dispatcher(*args)


@overload(call)
def _call_compiled(kernel, args):
    return lambda kernel, args: _call_native(kernel, args)


@intrinsic
def _call_native(typingctx, kernel, args):
    if not isinstance(kernel, NativeType) or not isinstance(args, types.BaseTuple):
        return None
    sig = kernel.signature
    if tuple(args) != tuple(sig.args):
        raise TypingError(f"{kernel} called with {tuple(args)}")

    def codegen(context, builder, signature, llargs):
        call_conv = context.call_conv
        fnty = call_conv.get_function_type(sig.return_type, sig.args)
        function = builder.inttoptr(llargs[0], fnty.as_pointer())
        values = cgutils.unpack_tuple(builder, llargs[1], len(sig.args))
        status, result = call_conv.call_function(builder, function, sig.return_type, sig.args,
                                                 values)
        with cgutils.if_unlikely(builder, status.is_error):  # e.g. NUMBA_BOUNDSCHECK=1
            call_conv.return_status_propagate(builder, status)
        return result

    return sig.return_type(kernel, args), codegen
