# cell: a_layout
# verdict: wrong
# misconception: uses the per-consumer rate measured in section 2 (PER_CONSUMER) instead of
#   the per_consumer it is given
# loses: test_layout_consumers, test_layout_partitions
# may_lose: test_layout_on_cluster
#   (kept when the measured rate is below 500/s, which 2 ms of work per record makes likely)
import math


def choose_layout(target, per_consumer, growth):
    rate = PER_CONSUMER  # noqa: F821 - measured by the notebook in section 2
    consumers = max(1, math.ceil(target / rate))
    partitions = max(consumers, math.ceil(growth * target / rate))
    return int(partitions), int(consumers)
