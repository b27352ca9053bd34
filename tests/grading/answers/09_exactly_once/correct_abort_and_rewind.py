# cell: ex_answer
# verdict: correct
# misconception: written differently: on an abortable transaction error, abort_transaction() then seek each partition back to the aborted batch's first offset and carry on
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
            first = {}
            for msg in batch:
                first.setdefault(msg.partition(), msg.offset())
            producer.begin_transaction()
            try:
                for msg in batch:
                    producer.produce(sink, key=msg.key(), value=msg.value())
                producer.send_offsets_to_transaction(consumer.position(consumer.assignment()),
                                                     consumer.consumer_group_metadata(), 30)
                producer.commit_transaction(30)
            except KafkaException as exc:
                if not exc.args[0].txn_requires_abort():
                    raise
                producer.abort_transaction(30)
                for p, offset in first.items():
                    consumer.seek(TopicPartition(source, p, offset))
    finally:
        consumer.close()
