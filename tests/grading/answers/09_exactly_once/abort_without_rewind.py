# cell: ex_answer
# verdict: wrong
# misconception: on an abortable transaction error, abort_transaction() and carry on with the next batch (the consumer's position is already past the aborted batch and is not rewound to the committed offsets: the next transaction commits offsets beyond it, the batch is lost)
# loses: test_ex_crashes
# The graded test makes one commit_transaction of a running copier raise an abortable error:
# this copier aborts and goes on from its consumer's position, past the aborted batch; the next
# transaction commits offsets beyond it, and the batch is never copied.
# ruff: noqa: F821 - Consumer, Producer, TopicPartition are imported in the copier process
def copier(consumer_config, producer_config, transactional_id, source, sink, should_stop):
    consumer = Consumer({**consumer_config, "enable.auto.commit": False,
                         "isolation.level": "read_committed"})
    producer = Producer({**producer_config, "transactional.id": transactional_id})
    producer.init_transactions(30)
    consumer.subscribe([source])
    try:
        while not should_stop():
            batch = [m for m in consumer.consume(20, 0.3) if m.error() is None]
            if not batch:
                continue
            producer.begin_transaction()
            try:
                for msg in batch:
                    producer.produce(sink, key=msg.key(), value=msg.value())
                producer.send_offsets_to_transaction(consumer.position(consumer.assignment()),
                                                     consumer.consumer_group_metadata(), 30)
                producer.commit_transaction(30)
            except KafkaException as exc:
                if exc.args[0].txn_requires_abort():
                    producer.abort_transaction(30)  # and go on with the next batch
                else:
                    raise
    finally:
        consumer.close()
