# cell: ex2_answer
# verdict: wrong
# misconception: idempotent, but a 1 s message.timeout.ms "to fail fast" (records queued while the controller elects a new leader expire)
# loses: ex2_test_delivered
SAFE_PRODUCER_CONFIG = {"acks": "all", "enable.idempotence": True, "message.timeout.ms": 1000}
