# cell: a_key
# verdict: correct
# misconception: none (the order id alone is the unit that needs ordering)
def order_key(customer_id, order_id):
    return str(order_id)
