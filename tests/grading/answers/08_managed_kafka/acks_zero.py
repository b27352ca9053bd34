# cell: ex2_answer
# verdict: wrong
# misconception: acks=0 gets around the quota's slowness (no waiting for the throttled broker's answers): the broker
#   still throttles (it mutes the connection) but sends no response, so the client never learns a throttle time,
#   and "delivered" only means "written to the socket"
# loses: test_ex2_cluster
# may_lose: test_ex2_shape
import json


def send_under_quota(path, topic: str, n: int) -> dict:
    seen = {"delivered": 0, "errors": 0, "throttle_ms_max": 0.0}

    def on_stats(text):
        for broker in json.loads(text)["brokers"].values():
            seen["throttle_ms_max"] = max(seen["throttle_ms_max"],
                                          float(broker.get("throttle", {}).get("max", 0)))

    def on_delivery(err, msg):
        seen["errors" if err is not None else "delivered"] += 1

    producer = Producer({**read_client_properties(path), "acks": 0,
                         "statistics.interval.ms": 200, "stats_cb": on_stats})
    for _ in range(n):
        while True:
            try:
                producer.produce(topic, b"x" * 1024, on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)
    producer.flush(120)
    producer.poll(0.5)
    return seen


t0 = time.monotonic()
ex2_result = send_under_quota(ex2_props, ex2_topic, EX2_RECORDS)
print(ex2_result, f"in {time.monotonic() - t0:.1f} s")
