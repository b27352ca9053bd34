# cell: ex2_answer
# verdict: wrong
# misconception: retries=0 to avoid duplicates (records fail instead of being delivered)
# loses: ex2_test_delivered
SAFE_PRODUCER_CONFIG = {"acks": "all", "retries": 0}
