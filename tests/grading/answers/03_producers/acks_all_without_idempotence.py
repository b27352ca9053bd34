# cell: ex2_answer
# verdict: wrong
# misconception: acks=all without enable.idempotence (a retried batch the broker already wrote is stored twice)
# loses: ex2_test_once_in_order
SAFE_PRODUCER_CONFIG = {"acks": "all"}
