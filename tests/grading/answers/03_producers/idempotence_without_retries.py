# cell: ex2_answer
# verdict: wrong
# misconception: idempotence with retries=0 (librdkafka refuses the combination: the producer never starts)
# loses: ex2_test_no_loss, ex2_test_delivered, ex2_test_once_in_order, ex2_test_min_isr
SAFE_PRODUCER_CONFIG = {"acks": "all", "enable.idempotence": True, "retries": 0}
