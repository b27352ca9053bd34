# cell: a_key
# verdict: wrong
# misconception: keys by customer, so the hot customer stays in one partition
# loses: test_key_hot_spread
def order_key(customer_id, order_id):
    return customer_id
