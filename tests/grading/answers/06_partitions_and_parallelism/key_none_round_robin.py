# cell: a_key
# verdict: wrong
# misconception: leaves the key out (None) so the partitioner spreads the records, believing
#   the producer sending an order's events in order is enough to keep them in order
# loses: test_key_type
# may_lose: test_key_order_kept, test_key_hot_spread
#   (librdkafka's sticky partitioner puts keyless records in one partition per linger window:
#   a fast run lands everything in one partition and loses the spread, a slower one splits the
#   orders; which of the two depends on the machine's timing)
def order_key(customer_id, order_id):
    return None
