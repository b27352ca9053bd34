# cell: a_layout
# verdict: wrong
# misconception: reads growth as a growth rate (+100% for growth=1) and sizes the
#   partitions for (1 + growth) x target instead of growth x target
# loses: test_layout_partitions
import math


def choose_layout(target, per_consumer, growth):
    consumers = max(1, math.ceil(target / per_consumer))
    future = target * (1 + growth)
    partitions = max(consumers, math.ceil(future / per_consumer))
    return partitions, consumers
