# cell: ex1-pod-loop
# verdict: wrong
# misconception: acknowledges a request as soon as it is received (like the front door's 202),
#   then does the work, then commits: the ack claims work that has not been done yet
# loses: ex1-acked-once
def pod_loop(consumer, producer, stop):
    while not stop.is_set():
        msg = consumer.poll(0.2)
        if msg is None or msg.error():
            continue
        request = json.loads(msg.value())
        producer.produce(ACKS, key=request["id"],
                         value=json.dumps({"id": request["id"], "t_done": time.time()}))
        producer.flush(10)
        rr.process(request, SERVICE_MS)
        consumer.commit(message=msg, asynchronous=False)
