# cell: ex2_answer
# verdict: wrong
# misconception: the throttle time is how long a record waited for its acknowledgement (msg.latency(), which includes
#   queueing and the round trip and is > 0 for any producer, throttled or not), not what the broker reports
# loses: test_ex2_cluster
def send_under_quota(path, topic: str, n: int) -> dict:
    out = {"delivered": 0, "errors": 0, "throttle_ms_max": 0.0}

    def on_delivery(err, msg):
        if err is not None:
            out["errors"] += 1
            return
        out["delivered"] += 1
        out["throttle_ms_max"] = max(out["throttle_ms_max"], msg.latency() * 1000)

    producer = Producer(read_client_properties(path))
    for _ in range(n):
        while True:
            try:
                producer.produce(topic, b"x" * 1024, on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)
    producer.flush(120)
    return out


t0 = time.monotonic()
ex2_result = send_under_quota(ex2_props, ex2_topic, EX2_RECORDS)
print(ex2_result, f"in {time.monotonic() - t0:.1f} s")
