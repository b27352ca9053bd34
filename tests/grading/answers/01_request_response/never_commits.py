# cell: ex1-pod-loop
# verdict: wrong
# misconception: auto-commit is off, yet the loop never commits (the group's position never moves: a restart serves everything again)
# loses: ex1-offsets-committed
def pod_loop(consumer, producer, stop):
    while not stop.is_set():
        msg = consumer.poll(0.2)
        if msg is None or msg.error():
            continue
        request = json.loads(msg.value())
        rr.process(request, SERVICE_MS)
        producer.produce(ACKS, key=request["id"],
                         value=json.dumps({"id": request["id"], "t_done": time.time()}))
        producer.flush(10)
