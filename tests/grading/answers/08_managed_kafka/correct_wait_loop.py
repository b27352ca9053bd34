# cell: ex2_answer
# verdict: correct
# misconception: none: no flush(); poll() serves the callbacks until every record has a delivery report, statistics
#   filtered to the real brokers (nodeid >= 0), a running maximum of throttle.max over all windows
import json


def send_under_quota(path, topic: str, n: int) -> dict:
    reports = {"ok": 0, "failed": 0}
    worst = []

    def stats(raw):
        for b in json.loads(raw).get("brokers", {}).values():
            if b.get("nodeid", -1) >= 0:
                worst.append(float(b.get("throttle", {}).get("max", 0)))

    def report(err, _msg):
        reports["failed" if err is not None else "ok"] += 1

    conf = read_client_properties(path)
    conf.update({"statistics.interval.ms": 250, "stats_cb": stats})
    p = Producer(conf)
    payload = bytes(1024)
    sent = 0
    while sent < n:
        try:
            p.produce(topic, value=payload, on_delivery=report)
            sent += 1
        except BufferError:
            p.poll(0.2)  # queue full: let the client wait for acknowledgements
        p.poll(0)
    deadline = time.monotonic() + 120
    while reports["ok"] + reports["failed"] < n and time.monotonic() < deadline:
        p.poll(0.1)
    p.poll(0.6)  # one more statistics window
    return {"delivered": reports["ok"], "errors": reports["failed"],
            "throttle_ms_max": max(worst, default=0.0)}


t0 = time.monotonic()
ex2_result = send_under_quota(ex2_props, ex2_topic, EX2_RECORDS)
print(ex2_result, f"in {time.monotonic() - t0:.1f} s")
