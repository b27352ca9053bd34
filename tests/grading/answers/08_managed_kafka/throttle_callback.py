# cell: ex2_answer
# verdict: correct
# The client's throttle callback (a ThrottleEvent per throttled response, in seconds) instead
# of the statistics, and delivery counted from the acknowledgements.
def send_under_quota(path, topic: str, n: int) -> dict:
    acked, failed, throttles = [], [], [0.0]

    def on_throttle(event):
        throttles.append(event.throttle_time * 1000.0)

    producer = Producer({**read_client_properties(path), "throttle_cb": on_throttle})
    try:
        for i in range(n):
            while True:
                try:
                    producer.produce(topic, value=bytes(1024), key=str(i).encode(),
                                     on_delivery=lambda err, msg: (failed if err else acked)
                                     .append(msg))
                    break
                except BufferError:
                    producer.poll(0.2)
            producer.poll(0)
    finally:
        producer.flush(120)
    producer.poll(0.2)
    return {"delivered": len(acked), "errors": len(failed), "throttle_ms_max": max(throttles)}


t0 = time.monotonic()
ex2_result = send_under_quota(ex2_props, ex2_topic, EX2_RECORDS)
print(ex2_result, f"in {time.monotonic() - t0:.1f} s")
