# cell: ex1-pod-loop
# verdict: wrong
# misconception: produce() taken as delivery: commits without waiting for the ack to reach the broker (a crash loses acks still in the producer's queue)
# loses: ex1-crash-no-loss
def pod_loop(consumer, producer, stop):
    while not stop.is_set():
        msg = consumer.poll(0.2)
        if msg is None or msg.error():
            continue
        request = json.loads(msg.value())
        rr.process(request, SERVICE_MS)
        producer.produce(ACKS, key=request["id"],
                         value=json.dumps({"id": request["id"], "t_done": time.time()}))
        producer.poll(0)
        consumer.commit(message=msg, asynchronous=False)
