"""Data: the course's planar "flower" (generated in code) and readers for user files.

Nothing is downloaded. The cat vs non-cat files of the course are read from a folder the caller
names (h5py is an optional extra: ``pip install "fastbackprop[data]"``).
"""
import os

import numpy as np


def planar_flower(m=400, seed=1):
    """The course's week-3 flower: X (2, m) float64, Y (1, m) uint8, two petal classes.

    With the defaults it reproduces the course's ``load_planar_dataset`` values exactly, drawing
    from its own ``RandomState`` (the global NumPy RNG is left alone)."""
    rng = np.random.RandomState(seed)
    N = m // 2  # points per class
    a = 4  # maximum ray of the flower
    X = np.zeros((m, 2))
    Y = np.zeros((m, 1), dtype="uint8")
    for j in range(2):
        ix = range(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + rng.randn(N) * 0.2  # theta
        r = a * np.sin(4 * t) + rng.randn(N) * 0.2  # radius
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return X.T, Y.T


def load_catvnoncat(path):
    """The course's cat vs non-cat images from the folder ``path``.

    Returns train_x_orig (209, 64, 64, 3) uint8, train_y (1, 209), test_x_orig, test_y (1, 50)
    and classes, as the course's ``load_data``."""
    files = [os.path.join(path, name) for name in ("train_catvnoncat.h5", "test_catvnoncat.h5")]
    missing = [f for f in files if not os.path.isfile(f)]
    if missing:
        raise FileNotFoundError(f"cat vs non-cat data not found: {', '.join(missing)} (pass the "
                                "folder holding train_catvnoncat.h5 and test_catvnoncat.h5)")
    try:
        import h5py
    except ImportError:
        raise ImportError("reading the course's .h5 files needs h5py: "
                          "pip install 'fastbackprop[data]'") from None
    with h5py.File(files[0], "r") as train, h5py.File(files[1], "r") as test:
        train_x = np.array(train["train_set_x"][:])
        train_y = np.array(train["train_set_y"][:]).reshape(1, -1)
        test_x = np.array(test["test_set_x"][:])
        test_y = np.array(test["test_set_y"][:]).reshape(1, -1)
        classes = np.array(test["list_classes"][:])
    return train_x, train_y, test_x, test_y, classes


def flatten_images(x_orig):
    """(m, h, w, c) uint8 images → (h·w·c, m) float64 in [0, 1], as the course preprocesses."""
    return x_orig.reshape(x_orig.shape[0], -1).T / 255.0


def load_file(path, labels_required=True):
    """X and Y from a .npz (arrays named X and Y, examples as columns) or the course's .h5
    (train_set_x/train_set_y or test_set_x/test_set_y; images are flattened and scaled).
    Y is None when the file has none and ``labels_required`` is False."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"data file not found: {path}")
    if path.endswith(".npz"):
        with np.load(path, allow_pickle=False) as data:
            needed = ("X", "Y") if labels_required else ("X",)
            if any(name not in data.files for name in needed):
                raise ValueError(f"{path}: a .npz data file needs arrays named "
                                 f"{' and '.join(needed)}, found {data.files}")
            return data["X"], data["Y"] if "Y" in data.files else None
    if path.endswith((".h5", ".hdf5")):
        try:
            import h5py
        except ImportError:
            raise ImportError("reading .h5 files needs h5py: "
                              "pip install 'fastbackprop[data]'") from None
        with h5py.File(path, "r") as f:
            for prefix in ("train_set", "test_set"):
                if f"{prefix}_x" in f and f"{prefix}_y" in f:
                    x = np.array(f[f"{prefix}_x"][:])
                    y = np.array(f[f"{prefix}_y"][:]).reshape(1, -1)
                    X = flatten_images(x) if x.ndim > 2 else x.T
                    return X, y
        raise ValueError(f"{path}: expected datasets train_set_x/train_set_y or "
                         "test_set_x/test_set_y")
    raise ValueError(f"{path}: data files must be .npz (X, Y) or the course's .h5")
