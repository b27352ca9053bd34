# cell: a_layout
# verdict: wrong
# misconception: rounds up with the integer trick (x + d - 1) // d, which only works for
#   integers: with a float growth it returns a float partition count (4.0 for
#   (1000, 400, 1.5)) and, when growth x target is not a whole number, can give one
#   partition too few ((267, 400, 1.5) gives 1 partition: 400.5 records/s needs 2)
# loses: test_layout_partitions
def choose_layout(target, per_consumer, growth):
    consumers = max(1, (target + per_consumer - 1) // per_consumer)
    grown = growth * target
    partitions = max(consumers, (grown + per_consumer - 1) // per_consumer)
    return partitions, consumers
