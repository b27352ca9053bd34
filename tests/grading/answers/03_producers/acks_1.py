# cell: ex2_answer
# verdict: wrong
# misconception: acks=1 is durable enough (the leader acknowledges before its followers copy; min.insync.replicas is ignored)
# loses: ex2_test_no_loss, ex2_test_once_in_order, ex2_test_min_isr
SAFE_PRODUCER_CONFIG = {"acks": "1", "retries": 10}
