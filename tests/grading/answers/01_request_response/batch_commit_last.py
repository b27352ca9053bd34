# cell: ex1-pod-loop
# verdict: wrong
# misconception: serves a batch from consume(), flushes its acks, then commits only the batch's last
#   message, believing that commits the whole batch: it commits one partition only, so a pod
#   that owns several partitions leaves the others' served records uncommitted (lag never
#   drains, and they are all served again after a rebalance)
# loses: ex1-offsets-committed
def pod_loop(consumer, producer, stop):
    while not stop.is_set():
        batch = [m for m in consumer.consume(num_messages=5, timeout=0.3) if not m.error()]
        if not batch:
            continue
        for msg in batch:
            request = json.loads(msg.value())
            rr.process(request, SERVICE_MS)
            producer.produce(ACKS, key=request["id"],
                             value=json.dumps({"id": request["id"], "t_done": time.time()}))
        if producer.flush(10) != 0:
            raise RuntimeError("acks not delivered: the batch stays uncommitted")
        consumer.commit(message=batch[-1], asynchronous=False)
