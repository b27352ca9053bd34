# cell: ex2_answer
# verdict: wrong
# misconception: a record counts as delivered when produce() returns (it only entered the client's queue); errors are
#   only exceptions of produce(), so a record the broker never acknowledges is still counted as delivered
# loses: test_ex2_shape
import json

from confluent_kafka import KafkaException


def send_under_quota(path, topic: str, n: int) -> dict:
    delivered = errors = 0
    throttle = [0.0]

    def on_stats(text):
        for b in json.loads(text)["brokers"].values():
            throttle[0] = max(throttle[0], b.get("throttle", {}).get("max", 0))

    producer = Producer({**read_client_properties(path), "statistics.interval.ms": 200,
                         "stats_cb": on_stats})
    for _ in range(n):
        try:
            producer.produce(topic, b"x" * 1024)
            delivered += 1
        except (BufferError, KafkaException):
            errors += 1
        producer.poll(0)
    producer.flush(120)
    producer.poll(0.5)
    return {"delivered": delivered, "errors": errors, "throttle_ms_max": float(throttle[0])}


t0 = time.monotonic()
ex2_result = send_under_quota(ex2_props, ex2_topic, EX2_RECORDS)
print(ex2_result, f"in {time.monotonic() - t0:.1f} s")
