# cell: ex2_answer
# verdict: wrong
# misconception: a transactional.id makes the producer exactly-once by itself (without init_transactions/begin_transaction every produce() raises _STATE: ex2_run fails)
# loses: ex2_test_no_loss, ex2_test_delivered, ex2_test_once_in_order, ex2_test_min_isr
# librdkafka builds the producer (ex2_selfcheck passes); durability_check's first produce()
# raises KafkaException(_STATE), so ex2_run raises and `ex2` is never defined.
SAFE_PRODUCER_CONFIG = {"acks": "all", "enable.idempotence": True,
                        "transactional.id": "safe-producer"}
