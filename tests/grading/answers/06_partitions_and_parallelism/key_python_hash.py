# cell: a_key
# verdict: wrong
# misconception: builds the key with Python's built-in hash(), which is salted per process
#   (PYTHONHASHSEED): stable inside one kernel, different in the next producer process, so
#   after a producer restart (or with two producer instances) an order's later events get
#   another key, hence another partition, and its events are no longer in one partition
# loses: test_key_order_kept
# may_lose: test_key_hot_spread
#   (inside the grading kernel hash() is salted at random, so where the 40 hot orders land is
#   random: about 1 run in 1,600 puts over 40% of them in one partition)
def order_key(customer_id, order_id):
    return str(hash((customer_id, order_id)))
