# cell: a_layout
# verdict: wrong
# misconception: multiplies the already rounded consumer count by the growth (over-provisions)
# loses: test_layout_partitions
import math


def choose_layout(target, per_consumer, growth):
    consumers = max(1, math.ceil(target / per_consumer))
    return math.ceil(growth * consumers), consumers
