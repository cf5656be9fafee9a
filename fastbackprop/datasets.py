"""Data: the course's planar "flower" and CS231n's spiral (generated in code), and readers for
user files.

Nothing is downloaded. The cat vs non-cat files of the course are read from a folder the caller
names (h5py is an optional extra: ``pip install "fastbackprop[data]"``).
"""
import numbers
import os

import numpy as np


def planar_flower(m=400, seed=1):
    """The course's week-3 flower: X (2, m) float64, Y (1, m) uint8, two petal classes.

    With the defaults it reproduces the course's ``load_planar_dataset`` values exactly, drawing
    from its own ``RandomState`` (the global NumPy RNG is left alone).

    Parameters
    ----------
    m : int, default 400
        Number of points: m // 2 per class (for an odd m the last point stays at the origin,
        labelled 0).
    seed : int, default 1
        Seed of the ``np.random.RandomState`` the noise is drawn from.

    Returns
    -------
    X : numpy.ndarray
        (2, m) float64, the points as columns.
    Y : numpy.ndarray
        (1, m) uint8: 0 for the first class's points, then 1 for the second's.

    Examples
    --------
    >>> from fastbackprop.datasets import planar_flower
    >>> X, Y = planar_flower()
    >>> X.shape, X.dtype, Y.shape, Y.dtype
    ((2, 400), dtype('float64'), (1, 400), dtype('uint8'))
    >>> int(Y.sum())
    200
    """
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


def spiral(m=300, classes=3, seed=0):
    """The classic spiral of CS231n: ``classes`` interleaved arms, one class each.

    For class j, N points with radius ``r = linspace(0, 1, N)`` and angle
    ``t = linspace(4j, 4(j + 1), N) + 0.2 · randn(N)`` sit at ``r · (sin t, cos t)``. Not linearly
    separable (a softmax regression reaches about 50 % on the default three arms); a network
    with one hidden layer of 100 relu units separates them. The noise is drawn from the
    function's own ``np.random.RandomState(seed)`` (the global NumPy RNG is left alone), so the
    same arguments give the same points.

    Parameters
    ----------
    m : int, default 300
        Number of points, >= ``classes``: m // classes per class, the first m % classes classes
        one more.
    classes : int, default 3
        Number of arms (classes), >= 2.
    seed : int, default 0
        Seed of the ``np.random.RandomState`` the angular noise is drawn from, in
        [0, 2**32).

    Returns
    -------
    X : numpy.ndarray
        (2, m) float64, the points as columns, within the unit disc.
    Y : numpy.ndarray
        (1, m) int64 class labels in [0, classes): the first arm's points, then the second's, …
        (``Model(..., output="softmax").fit`` takes them as they are).

    Raises
    ------
    TypeError
        If ``m``, ``classes`` or ``seed`` is not an integer.
    ValueError
        If ``classes`` < 2, ``m`` < ``classes`` or ``seed`` is outside [0, 2**32).

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.datasets import spiral
    >>> X, Y = spiral()
    >>> X.shape, X.dtype, Y.shape, Y.dtype
    ((2, 300), dtype('float64'), (1, 300), dtype('int64'))
    >>> np.bincount(Y[0]).tolist()
    [100, 100, 100]
    >>> bool(np.all(np.hypot(X[0], X[1]) <= 1))
    True
    """
    for name, value in (("m", m), ("classes", classes), ("seed", seed)):
        if not isinstance(value, numbers.Integral) or isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name} must be an integer, got {value!r}")
    if classes < 2:
        raise ValueError(f"classes must be an integer >= 2, got {classes!r}")
    if m < classes:
        raise ValueError(f"m must be an integer >= classes ({classes}: at least one point per "
                         f"class), got {m!r}")
    if not 0 <= seed < 2 ** 32:
        raise ValueError(f"seed must be an integer in [0, 2**32), got {seed!r}")
    m, classes = int(m), int(classes)
    rng = np.random.RandomState(int(seed))
    X = np.zeros((2, m))
    Y = np.zeros((1, m), dtype=np.int64)
    start = 0
    for j in range(classes):
        N = m // classes + (j < m % classes)  # points of this class
        r = np.linspace(0.0, 1.0, N)  # radius
        t = np.linspace(4.0 * j, 4.0 * (j + 1), N) + rng.randn(N) * 0.2  # angle
        X[0, start:start + N] = r * np.sin(t)
        X[1, start:start + N] = r * np.cos(t)
        Y[0, start:start + N] = j
        start += N
    return X, Y


def load_catvnoncat(path):
    """The course's cat vs non-cat images from the folder ``path``.

    Returns train_x_orig (209, 64, 64, 3) uint8, train_y (1, 209), test_x_orig, test_y (1, 50)
    and classes, as the course's ``load_data``.

    Nothing is downloaded. Needs h5py (``pip install "fastbackprop[data]"``).

    Parameters
    ----------
    path : str or os.PathLike
        The folder holding ``train_catvnoncat.h5`` and ``test_catvnoncat.h5``.

    Returns
    -------
    train_x_orig : numpy.ndarray
        (209, 64, 64, 3) uint8 images.
    train_y : numpy.ndarray
        (1, 209) labels, 1 for a cat.
    test_x_orig : numpy.ndarray
        (50, 64, 64, 3) uint8 images.
    test_y : numpy.ndarray
        (1, 50) labels.
    classes : numpy.ndarray
        The class names, as bytes.

    Raises
    ------
    FileNotFoundError
        If either file is missing (the message names it).
    ImportError
        If h5py is not installed.

    See Also
    --------
    flatten_images : The course's preprocessing of the images.
    """
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
    """(m, h, w, c) uint8 images → (h·w·c, m) float64 in [0, 1], as the course preprocesses.

    Parameters
    ----------
    x_orig : numpy.ndarray
        Images, shape (m, h, w, c) (any shape whose first axis counts the examples).

    Returns
    -------
    numpy.ndarray
        ``x_orig.reshape(m, -1).T / 255``: one column per image.

    Examples
    --------
    >>> import numpy as np
    >>> from fastbackprop.datasets import flatten_images
    >>> images = np.full((5, 4, 4, 3), 255, dtype=np.uint8)
    >>> X = flatten_images(images)
    >>> X.shape, X.dtype, float(X.max())
    ((48, 5), dtype('float64'), 1.0)
    """
    return x_orig.reshape(x_orig.shape[0], -1).T / 255.0


def load_file(path, labels_required=True):
    """X and Y from a .npz (arrays named X and Y, examples as columns) or the course's .h5
    (train_set_x/train_set_y or test_set_x/test_set_y; images are flattened and scaled).
    Y is None when the file has none and ``labels_required`` is False.

    Parameters
    ----------
    path : str or os.PathLike
        A ``.npz`` file, or a ``.h5``/``.hdf5`` file (needs h5py,
        ``pip install "fastbackprop[data]"``). In an .h5 file the train_set pair is read if
        present, else the test_set pair; images (more than two axes) are flattened with
        ``flatten_images``, 2-D data is transposed to examples as columns.
    labels_required : bool, default True
        False: a .npz file without Y is accepted (Y is then None). An .h5 file always needs
        its labels.

    Returns
    -------
    X : numpy.ndarray
        The features, examples as columns.
    Y : numpy.ndarray or None
        The labels as stored (an .h5 file's reshaped to (1, m)), or None.

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    ValueError
        If the file is not .npz, .h5 or .hdf5, or lacks the arrays named above.
    ImportError
        If the file is .h5 and h5py is not installed.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from fastbackprop.datasets import load_file
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "data.npz")
    ...     np.savez(path, X=np.zeros((2, 3)), Y=np.ones((1, 3)))
    ...     X, Y = load_file(path)
    >>> X.shape, Y.shape
    ((2, 3), (1, 3))
    """
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
