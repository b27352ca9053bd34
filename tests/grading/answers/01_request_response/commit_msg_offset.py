# cell: ex1-pod-loop
# verdict: wrong
# misconception: commits the offset of the record just served (msg.offset()) instead of the next
#   one to read (msg.offset() + 1): the group's position always lags one record per partition,
#   which is served again after a restart
# loses: ex1-offsets-committed
def pod_loop(consumer, producer, stop):
    from confluent_kafka import TopicPartition

    while not stop.is_set():
        msg = consumer.poll(0.2)
        if msg is None or msg.error():
            continue
        request = json.loads(msg.value())
        rr.process(request, SERVICE_MS)
        producer.produce(ACKS, key=request["id"],
                         value=json.dumps({"id": request["id"], "t_done": time.time()}))
        producer.flush(10)
        consumer.commit(offsets=[TopicPartition(msg.topic(), msg.partition(), msg.offset())],
                        asynchronous=False)
