# cell: ex2_answer
# verdict: wrong
# misconception: acks=0 for speed (no answer is awaited: records sent to a dead leader vanish)
# loses: ex2_test_no_loss, ex2_test_min_isr
SAFE_PRODUCER_CONFIG = {"acks": "0"}
