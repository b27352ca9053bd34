# cell: a_key
# verdict: wrong
# misconception: salts the customer with too few buckets (two), so the hot customer still
#   crowds two partitions
# loses: test_key_hot_spread
def order_key(customer_id, order_id):
    return f"{customer_id}#{sum(order_id.encode()) % 2}"
