# cell: a_layout
# verdict: wrong
# misconception: rounds the partition count up to a multiple of the broker count "for
#   balance", so it is no longer the fewest that allow the growth
# loses: test_layout_partitions
import math


def choose_layout(target, per_consumer, growth):
    consumers = max(1, math.ceil(target / per_consumer))
    needed = max(consumers, math.ceil(growth * target / per_consumer))
    partitions = math.ceil(needed / BROKERS) * BROKERS  # noqa: F821 - the notebook's 3
    return partitions, consumers
