# cell: ex1-pod-loop
# verdict: wrong
# misconception: commits each record as soon as it is polled, before the work and the ack (at-most-once: a crash loses the request)
# loses: ex1-crash-no-loss
def pod_loop(consumer, producer, stop):
    while not stop.is_set():
        msg = consumer.poll(0.2)
        if msg is None or msg.error():
            continue
        consumer.commit(message=msg, asynchronous=False)
        request = json.loads(msg.value())
        rr.process(request, SERVICE_MS)
        producer.produce(ACKS, key=request["id"],
                         value=json.dumps({"id": request["id"], "t_done": time.time()}))
        producer.flush(10)
