"""Calling a compiled kernel through its address instead of linking its code in.

numba links every callee's LLVM module into each caller, and LLVM re-optimises and re-emits the
callee's machine code at every level above it; a ``prange`` adds three levels (its body and two
wrappers). The blocked trainer's block pass, called inside a ``prange``, was optimised and
emitted five times on every cold first fit (docs/performance.md, "Compile time"). Called through
its address, it is compiled once, in its own cached library, and the trainer stays small.

The address is an ordinary integer argument of the caller, looked up in Python before each call
(``address_of``): the caller's cached machine code holds no address, so it stays valid in every
process. The kernel must have been compiled for exactly the types the call passes; ``address_of``
compiles it for the types of the very objects the caller will pass on.
"""
import numba
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, overload

_DISPATCHERS = {}  # address -> the dispatcher it belongs to, for calls from Python


def call_float64(address, args):
    """``kernel(*args)`` -> float64, for the kernel whose native entry point is at ``address``
    (see ``address_of``). From Python (a kernel's ``py_func``) it calls the kernel's dispatcher."""
    return _DISPATCHERS[address](*args)


@overload(call_float64)
def _call_float64_compiled(address, args):
    return lambda address, args: _call_float64(address, args)


@intrinsic
def _call_float64(typingctx, address, args):
    """The call through the address, in compiled code. An exception raised in the kernel (with
    ``NUMBA_BOUNDSCHECK=1``) propagates as from any call."""
    if not isinstance(address, types.Integer) or not isinstance(args, types.BaseTuple):
        return None
    argtys = tuple(args)

    def codegen(context, builder, signature, llargs):
        call_conv = context.call_conv
        fnty = call_conv.get_function_type(types.float64, argtys)
        kernel = builder.inttoptr(llargs[0], fnty.as_pointer())
        values = cgutils.unpack_tuple(builder, llargs[1], len(argtys))
        status, result = call_conv.call_function(builder, kernel, types.float64, argtys, values)
        with cgutils.if_unlikely(builder, status.is_error):
            call_conv.return_status_propagate(builder, status)
        return result

    return types.float64(address, args), codegen


_ADDRESSES = {}


def address_of(dispatcher, args):
    """The native entry point of ``dispatcher`` compiled for the numba types of ``args`` (compiled
    now, or loaded from numba's cache, the first time)."""
    sig = tuple(numba.typeof(a) for a in args)
    key = dispatcher, sig
    if key not in _ADDRESSES:
        dispatcher.compile(sig)
        cres = dispatcher.overloads[sig]
        if cres.signature.return_type != types.float64:
            raise TypeError(f"{dispatcher.py_func.__name__} returns "
                            f"{cres.signature.return_type}, not float64")
        address = cres.library.get_pointer_to_function(cres.fndesc.llvm_func_name)
        _ADDRESSES[key] = address
        _DISPATCHERS[address] = dispatcher
    return _ADDRESSES[key]
