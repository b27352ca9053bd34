# cell: ex2_answer
# verdict: wrong
# misconception: idempotent, but a 1 s message.timeout.ms "to fail fast" (records queued while the controller elects a new leader expire)
# loses: ex2_test_delivered, ex2_test_no_loss
# Graded with two jobs on 2 cores, none of its leader-kill stream was acknowledged within 1 s
# (3000 of 3000 records failed), so ex2_test_no_loss's "nothing was acknowledged" guard fails
# too: that guard is right (a producer that acknowledges nothing must not earn the no-loss
# point by default).
SAFE_PRODUCER_CONFIG = {"acks": "all", "enable.idempotence": True, "message.timeout.ms": 1000}
