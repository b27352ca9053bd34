# cell: a_layout
# verdict: wrong
# misconception: rounds to the nearest count instead of up (2.5 consumers become 2)
# loses: test_layout_consumers, test_layout_partitions
def choose_layout(target, per_consumer, growth):
    consumers = max(1, round(target / per_consumer))
    return max(consumers, round(growth * target / per_consumer)), consumers
