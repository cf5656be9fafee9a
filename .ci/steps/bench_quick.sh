# `fastbackprop bench --quick`: every configuration end to end for NumPy and fastbackprop (the
# frameworks are optional extras, not installed in CI). A smoke test of the instrument and of the
# agreement gate: it fails if fastbackprop's parameters disagree with the NumPy baseline's. The
# times it prints are not benchmarks.
fastbackprop bench --quick --systems numpy,fastbackprop
