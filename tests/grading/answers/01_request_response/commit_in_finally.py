# cell: ex1-pod-loop
# verdict: wrong
# misconception: commits in a `finally` block so that a failing record never blocks the partition:
#   when the pod dies while acking, the record is committed anyway and its request is lost
# loses: ex1-crash-no-loss
def pod_loop(consumer, producer, stop):
    while not stop.is_set():
        msg = consumer.poll(0.2)
        if msg is None or msg.error():
            continue
        try:
            request = json.loads(msg.value())
            rr.process(request, SERVICE_MS)
            producer.produce(ACKS, key=request["id"],
                             value=json.dumps({"id": request["id"], "t_done": time.time()}))
            producer.flush(10)
        finally:
            consumer.commit(message=msg, asynchronous=False)
