# cell: a_key
# verdict: wrong
# misconception: returns bytes, though the task asks for a string key
# loses: test_key_type
def order_key(customer_id, order_id):
    return f"{customer_id}/{order_id}".encode()
