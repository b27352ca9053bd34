# cell: a_key
# verdict: correct
# misconception: none (salts the customer with a bucket derived from the order id by a stable
#   digest, 64 buckets: one order always gets the same bucket in every process)
import hashlib


def order_key(customer_id, order_id):
    bucket = int.from_bytes(hashlib.sha256(order_id.encode()).digest()[:4], "big") % 64
    return f"{customer_id}~{bucket:02d}"
