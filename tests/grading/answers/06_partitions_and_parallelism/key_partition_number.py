# cell: a_key
# verdict: wrong
# misconception: believes the key names the partition ("3" goes to partition 3), so it keys
#   each order by its number modulo the 6 partitions; the keys are hashed, and the six keys
#   "0".."5" land in only 3 of the 6 partitions
# loses: test_key_hot_spread
def order_key(customer_id, order_id):
    number = int("".join(ch for ch in order_id if ch.isdigit()))
    return str(number % 6)
