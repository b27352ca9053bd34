# cell: ex2_answer
# verdict: wrong
# misconception: acks=all with one request in flight instead of idempotence (order kept, but a retried batch the broker already wrote is stored twice)
# loses: ex2_test_once_in_order
SAFE_PRODUCER_CONFIG = {"acks": "all", "max.in.flight.requests.per.connection": 1, "retries": 1000000}
