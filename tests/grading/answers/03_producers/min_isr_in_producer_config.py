# cell: ex2_answer
# verdict: wrong
# misconception: min.insync.replicas set in the producer's settings (it is a topic/broker setting: librdkafka refuses the unknown property, the producer never starts)
# loses: ex2_test_no_loss, ex2_test_delivered, ex2_test_once_in_order, ex2_test_min_isr
SAFE_PRODUCER_CONFIG = {"acks": "all", "enable.idempotence": True, "min.insync.replicas": 2}
