# cell: ex2_answer
# verdict: wrong
# misconception: librdkafka's defaults are safe (acks=all is the default, but idempotence is off)
# loses: ex2_test_once_in_order
SAFE_PRODUCER_CONFIG = {}
