# cell: ex2_answer
# verdict: wrong
# misconception: idempotence takes care of duplicates, so acks=1 is enough for the rest (librdkafka refuses the combination: idempotence requires acks=all)
# loses: ex2_test_no_loss, ex2_test_delivered, ex2_test_once_in_order, ex2_test_min_isr
SAFE_PRODUCER_CONFIG = {"enable.idempotence": True, "acks": "1"}
