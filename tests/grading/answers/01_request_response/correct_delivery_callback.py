# cell: ex1-pod-loop
# verdict: correct
# misconception: none: waits for the ack's delivery report with poll(), then commits the next offset explicitly
def pod_loop(consumer, producer, stop):
    from confluent_kafka import TopicPartition as TP

    while not stop.is_set():
        msg = consumer.poll(0.3)
        if msg is None:
            continue
        if msg.error():
            continue
        req = json.loads(msg.value().decode())
        rr.process(req, SERVICE_MS)
        delivered = []
        producer.produce(ACKS, key=req["id"].encode(),
                         value=json.dumps({"id": req["id"], "t_done": time.time()}).encode(),
                         on_delivery=lambda err, m: delivered.append(err is None))
        deadline = time.monotonic() + 10
        while not delivered and time.monotonic() < deadline:
            producer.poll(0.05)
        if delivered != [True]:
            raise RuntimeError("ack not delivered: the request stays uncommitted")
        consumer.commit(offsets=[TP(msg.topic(), msg.partition(), msg.offset() + 1)],
                        asynchronous=False)
