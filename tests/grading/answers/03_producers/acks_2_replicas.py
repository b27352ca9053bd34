# cell: ex2_answer
# verdict: wrong
# misconception: acks counts the replicas to wait for ("acks=2" to match min.insync.replicas=2; the broker rejects every produce request with INVALID_REQUIRED_ACKS)
# loses: ex2_test_no_loss, ex2_test_delivered
# librdkafka accepts acks 2 (range -1..1000); Kafka answers INVALID_REQUIRED_ACKS, a permanent
# error: nothing is acknowledged (ex2_test_no_loss's acked > 0 guard) and everything fails
# (ex2_test_delivered). The empty topic has no duplicates and the min-ISR write is not
# acknowledged, so ex2_test_once_in_order and ex2_test_min_isr keep their points.
SAFE_PRODUCER_CONFIG = {"acks": 2, "retries": 10}
