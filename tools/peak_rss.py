"""Peak resident memory of training config c, fastbackprop or the NumPy baseline, one process each.

    for dt in float64 float32; do for s in fastbackprop numpy; do
        python tools/peak_rss.py $s $dt; done; done

Each run makes c's data and parameters, then trains 3 iterations; it prints ``ru_maxrss`` before
and after training (the data and the imports are in both figures). Issue 5 asks that
fastbackprop's peak be no higher than the baseline's.
"""
import argparse
import resource

from fastbackprop import Model, baseline
from fastbackprop.configs import CONFIGS


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("system", choices=("fastbackprop", "numpy"))
    parser.add_argument("dtype", choices=("float64", "float32"))
    parser.add_argument("--config", default="c")
    args = parser.parse_args(argv)
    config = CONFIGS[args.config]
    X, Y = config.data(args.dtype)
    start = config.parameters(args.dtype)
    before = _peak_mb()
    if args.system == "fastbackprop":
        Model.from_parameters(start, config.hidden_activation, args.dtype).fit(
            X, Y, learning_rate=config.learning_rate, num_iterations=3, progress=False)
    else:
        baseline.train(X, Y, start, config.hidden_activation, config.learning_rate, 3,
                       record_every=0)
    print(f"{args.system} {args.config} {args.dtype}: peak RSS {_peak_mb():.0f} MB "
          f"(before training {before:.0f} MB)")


if __name__ == "__main__":
    main()
