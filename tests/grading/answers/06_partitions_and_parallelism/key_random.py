# cell: a_key
# verdict: wrong
# misconception: a random key per record spreads the load but splits each order over partitions
# loses: test_key_type, test_key_order_kept
import uuid


def order_key(customer_id, order_id):
    return f"{customer_id}-{uuid.uuid4().hex}"
