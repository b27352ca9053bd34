# cell: a_layout
# verdict: wrong
# misconception: sizes partitions for today only (one per consumer), forgetting that they cannot
#   be removed and that adding them later remaps keys
# loses: test_layout_partitions, test_layout_on_cluster
import math


def choose_layout(target, per_consumer, growth):
    consumers = max(1, math.ceil(target / per_consumer))
    return consumers, consumers
