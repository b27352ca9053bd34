# cell: a_layout
# verdict: wrong
# misconception: "integer division plus one" for rounding up (one too many on exact multiples)
# loses: test_layout_consumers, test_layout_partitions
def choose_layout(target, per_consumer, growth):
    consumers = int(target // per_consumer) + 1
    return int(growth * target // per_consumer) + 1, consumers
