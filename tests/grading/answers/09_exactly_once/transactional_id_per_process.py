# cell: ex_answer
# verdict: wrong
# misconception: a fresh transactional.id per process ("so two copiers never clash"): a restarted copier no longer fences its crashed predecessor, whose open transaction stays open until transaction.timeout.ms (60 s) and holds back what read_committed can see
# loses: test_ex_crashes
# The round that crashes 0.5 s after a produce() leaves a transaction with records in the sink
# open; the final run's init_transactions (another id) does not abort it, so the sink's last
# stable offset stays at its first record for 60 s: read_committed sees the final run's output
# too late (missing records, or read_to_end's TimeoutError), well before the 60 s pass.
# ruff: noqa: F821 - Consumer, Producer, TopicPartition are imported in the copier process
def copier(consumer_config, producer_config, transactional_id, source, sink, should_stop):
    import os

    consumer = Consumer({**consumer_config, "enable.auto.commit": False,
                         "isolation.level": "read_committed"})
    producer = Producer({**producer_config,
                         "transactional.id": f"{transactional_id}-{os.getpid()}"})
    producer.init_transactions(30)
    consumer.subscribe([source])
    try:
        while not should_stop():
            batch = [m for m in consumer.consume(20, 0.3) if m.error() is None]
            if not batch:
                continue
            producer.begin_transaction()
            for msg in batch:
                producer.produce(sink, key=msg.key(), value=msg.value())
            producer.send_offsets_to_transaction(consumer.position(consumer.assignment()),
                                                 consumer.consumer_group_metadata(), 30)
            producer.commit_transaction(30)
    finally:
        consumer.close()
