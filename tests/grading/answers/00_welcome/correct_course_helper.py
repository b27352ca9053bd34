# cell: ex1_answer
# verdict: correct
# misconception: none: the course's produce() helper, which returns what the broker acknowledged
def produce_keyed(topic: str, n: int) -> dict[str, tuple[int, int]]:
    from kafkalab.clients import produce as produce_and_wait

    acked = produce_and_wait(cluster.producer_config(), topic,
                             [f"event-{i}" for i in range(n)], keys=[f"user-{i}" for i in range(n)])
    return {r.key: (r.partition, r.offset) for r in acked}
