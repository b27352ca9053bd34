# cell: ex2_answer
# verdict: wrong
# misconception: the throttle callback's ThrottleEvent.throttle_time is taken to be in ms (it is in seconds): the
#   reported "throttle_ms_max" is 1000 times too small (0.5 for a 500 ms throttle)
# loses: test_ex2_cluster
def send_under_quota(path, topic: str, n: int) -> dict:
    result = {"delivered": 0, "errors": 0, "throttle_ms_max": 0.0}

    def on_throttle(event):
        result["throttle_ms_max"] = max(result["throttle_ms_max"], event.throttle_time)

    def on_delivery(err, msg):
        if err is None:
            result["delivered"] += 1
        else:
            result["errors"] += 1

    producer = Producer({**read_client_properties(path), "throttle_cb": on_throttle})
    for _ in range(n):
        while True:
            try:
                producer.produce(topic, b"x" * 1024, on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.5)
        producer.poll(0)
    producer.flush(120)
    return result


t0 = time.monotonic()
ex2_result = send_under_quota(ex2_props, ex2_topic, EX2_RECORDS)
print(ex2_result, f"in {time.monotonic() - t0:.1f} s")
