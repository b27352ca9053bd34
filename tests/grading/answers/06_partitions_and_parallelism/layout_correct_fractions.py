# cell: a_layout
# verdict: correct
# misconception: none (exact arithmetic with fractions, ceiling by divmod)
from fractions import Fraction


def choose_layout(target, per_consumer, growth):
    def at_least(rate):
        whole, rest = divmod(Fraction(rate) / Fraction(per_consumer), 1)
        return int(whole) + (1 if rest else 0)

    consumers = max(at_least(target), 1)
    partitions = max(at_least(Fraction(growth) * target), consumers)
    return partitions, consumers
