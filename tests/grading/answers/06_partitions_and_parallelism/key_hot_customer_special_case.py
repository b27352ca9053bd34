# cell: a_key
# verdict: wrong
# misconception: hard-codes the hot customer seen in the notebook: only "C-HOT" is keyed by
#   order, everyone else stays keyed by customer, so the next customer that turns hot sits in
#   one partition again
# loses: test_key_hot_spread
HOT_CUSTOMERS = {"C-HOT"}


def order_key(customer_id, order_id):
    if customer_id in HOT_CUSTOMERS:
        return f"{customer_id}/{order_id}"
    return customer_id
