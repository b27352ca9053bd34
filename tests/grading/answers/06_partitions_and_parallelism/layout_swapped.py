# cell: a_layout
# verdict: wrong
# misconception: returns (consumers, partitions) instead of (partitions, consumers)
# loses: test_layout_consumers, test_layout_partitions, test_layout_on_cluster
import math


def choose_layout(target, per_consumer, growth):
    consumers = max(1, math.ceil(target / per_consumer))
    return consumers, max(consumers, math.ceil(growth * target / per_consumer))
