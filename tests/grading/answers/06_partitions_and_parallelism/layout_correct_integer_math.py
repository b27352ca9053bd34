# cell: a_layout
# verdict: correct
# misconception: none (ceiling by negated floor division, converted to int)
def choose_layout(target, per_consumer, growth):
    def up(x):
        return int(-(-x // per_consumer))

    consumers = max(1, up(target))
    partitions = up(growth * target)
    if partitions < consumers:
        partitions = consumers
    return (partitions, consumers)
