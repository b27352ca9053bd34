# cell: a_layout
# verdict: wrong
# misconception: starts the group already sized for the grown target (one consumer per
#   partition from day one), instead of the fewest consumers that reach today's target (with a
#   shrinking forecast, growth < 1, its partitions are also too few for today's group)
# loses: test_layout_consumers, test_layout_partitions
import math


def choose_layout(target, per_consumer, growth):
    partitions = max(1, math.ceil(growth * target / per_consumer))
    consumers = partitions  # one consumer per partition, so nothing is idle
    return partitions, consumers
