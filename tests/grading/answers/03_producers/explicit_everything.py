# cell: ex2_answer
# verdict: correct
# misconception: (none) every setting spelled out (acks=-1, idempotence, at most 5 in flight, many retries)
SAFE_PRODUCER_CONFIG = dict(**{"acks": -1, "enable.idempotence": True,
                               "max.in.flight.requests.per.connection": 5,
                               "retries": 2147483647, "delivery.timeout.ms": 120000})
