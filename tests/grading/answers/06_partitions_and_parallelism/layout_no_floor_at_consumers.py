# cell: a_layout
# verdict: wrong
# misconception: sizes partitions from the grown target alone and drops the "never fewer
#   partitions than consumers" rule, assuming growth is always >= 1 (a shrinking forecast,
#   growth < 1, leaves consumers idle)
# loses: test_layout_partitions
import math


def choose_layout(target, per_consumer, growth):
    consumers = max(1, math.ceil(target / per_consumer))
    partitions = math.ceil(growth * target / per_consumer)
    return partitions, consumers
