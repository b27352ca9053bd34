# cell: ex1-pod-loop
# verdict: wrong
# misconception: commits after the work but before producing the ack (a crash between them leaves a served request never acknowledged)
# loses: ex1-crash-no-loss
def pod_loop(consumer, producer, stop):
    while not stop.is_set():
        msg = consumer.poll(0.2)
        if msg is None or msg.error():
            continue
        request = json.loads(msg.value())
        rr.process(request, SERVICE_MS)
        consumer.commit(message=msg, asynchronous=False)
        producer.produce(ACKS, key=request["id"],
                         value=json.dumps({"id": request["id"], "t_done": time.time()}))
        producer.flush(10)
