# cell: ex2_answer
# verdict: correct
# misconception: (none) enable.idempotence alone, as a string (it implies acks=all and retries)
SAFE_PRODUCER_CONFIG = {"enable.idempotence": "true"}
