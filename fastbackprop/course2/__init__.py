"""The second deeplearning.ai course, "Improving Deep Neural Networks", on fused kernels.

One module per notebook, each replacing the notebook's helper file with one changed import and
providing the notebook's graded functions, with the course's names, signatures, return types,
printed lines and seeds:

- ``fastbackprop.course2.initialization`` (``init_utils``): the zeros / random / He runs;
- ``fastbackprop.course2.regularization`` (``reg_utils``): L2 and the course's dropout;
- ``fastbackprop.course2.gradient_checking`` (``gc_utils``, 2021; ``gradient_checking_2017``);
- ``fastbackprop.course2.optimization`` (``opt_utils_v1a``, 2021; ``optimization_2017`` for
  ``opt_utils``): minibatches, momentum, Adam, learning-rate decay.

The ``model`` functions run the whole training in compiled code (``kernels.course2``); the
course's NumPy code, for comparison, is ``fastbackprop.course2.reference``. The 2-D datasets
need ``pip install "fastbackprop[course2]"`` (scikit-learn and SciPy).

Examples
--------
>>> from fastbackprop.course2.optimization import update_lr
>>> update_lr(0.5, 2, 1)
0.16666666666666666
"""
