# cell: ex1-pod-loop
# verdict: correct
# misconception: none: acks keyed by the request record's own key (the front door keys it by id),
#   delivery checked through the report, then commit() of the consumer's current positions
def pod_loop(consumer, producer, stop):
    while not stop.is_set():
        msg = consumer.poll(0.5)
        if msg is None or msg.error() is not None:
            continue
        body = json.loads(msg.value().decode())
        rr.process(body, SERVICE_MS)
        outcome = []
        producer.produce(ACKS, key=msg.key(),
                         value=json.dumps({"id": body["id"], "t_done": time.time()}),
                         on_delivery=lambda err, _m: outcome.append(err))
        producer.flush(10)
        if outcome != [None]:
            raise RuntimeError(f"ack for {body['id']} not delivered: {outcome}")
        consumer.commit(asynchronous=False)  # the positions: one past each record returned
