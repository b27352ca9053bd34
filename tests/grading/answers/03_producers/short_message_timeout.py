# cell: ex2_answer
# verdict: wrong
# misconception: idempotent, but a 1 s message.timeout.ms "to fail fast" (records queued while the controller elects a new leader expire)
# loses: ex2_test_delivered
# may_lose: ex2_test_no_loss
# Records still queued when their 1 s runs out are reported failed: ex2_test_delivered. Whether
# any record of the leader-kill stream is acknowledged at all depends on the machine: graded with
# two jobs on 2 busy cores none was (3000 of 3000 failed, so ex2_test_no_loss's "nothing was
# acknowledged" guard refuses that point too, rightly: acknowledging nothing earns no no-loss
# point), on a quieter machine (2026-12-02, 12:00 UTC) some were and ex2_test_no_loss kept its point.
SAFE_PRODUCER_CONFIG = {"acks": "all", "enable.idempotence": True, "message.timeout.ms": 1000}
