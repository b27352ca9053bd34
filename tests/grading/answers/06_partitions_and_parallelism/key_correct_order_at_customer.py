# cell: a_key
# verdict: correct
# misconception: none (order first, then customer)
def order_key(customer_id, order_id):
    return "@".join([order_id, customer_id])
