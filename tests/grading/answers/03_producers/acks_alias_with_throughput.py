# cell: ex2_answer
# verdict: correct
# misconception: (none) the full property name request.required.acks=-1, idempotence, plus throughput settings (linger.ms, lz4) that do not weaken durability
SAFE_PRODUCER_CONFIG = {
    "request.required.acks": -1,
    "enable.idempotence": True,
    "linger.ms": 20,
    "compression.type": "lz4",
}
