"""The kernels ship as fastbackprop.kernels; nothing installs as a top-level `kernels`."""
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_kernels_import_as_subpackage():
    import fastbackprop.kernels as kernels
    assert kernels.__name__ == "fastbackprop.kernels"
    assert hasattr(kernels, "linear_activation_forward")


def test_wheel_has_no_top_level_kernels(tmp_path):
    if not (ROOT / "pyproject.toml").is_file():
        pytest.skip("not run from a source checkout")
    pytest.importorskip("setuptools", reason="building the wheel needs setuptools")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                           "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("fastbackprop-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"fastbackprop",
                                                 wheel.name.split("-py")[0] + ".dist-info"}
    assert "fastbackprop/kernels/dense.py" in names
    assert "fastbackprop/kernels/_options.py" in names


def test_kernel_cache_is_keyed_on_every_kernel_file(tmp_path):
    """numba keys a cache entry on its own file; ours must change when any kernel file does."""
    import shutil
    from fastbackprop.kernels import _options, network
    copy = tmp_path / "kernels"
    shutil.copytree(ROOT / "kernels" if (ROOT / "kernels").is_dir()
                    else Path(_options.__file__).parent, copy,
                    ignore=shutil.ignore_patterns("__pycache__"))
    before = _options.kernels_stamp(str(copy))
    with open(copy / "vecmath.py", "a") as f:  # a callee only, not network.py itself
        f.write("\n# changed\n")
    assert _options.kernels_stamp(str(copy)) != before
    locator = network.train_steps_split._cache._impl._locator
    assert locator.get_source_stamp() == _options.STAMP
    assert type(locator).__name__.startswith("FastbackpropKernels")
