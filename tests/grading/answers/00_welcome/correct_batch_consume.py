# cell: ex2_answer
# verdict: correct
# misconception: none: a consumer without a group placed with assign(), read in batches with consume()
def read_from(topic, partition, offset, max_messages):
    reader = Consumer({**cluster.client_config(), "group.id": "unused-" + uuid.uuid4().hex,
                       "enable.auto.commit": False})
    reader.assign([TopicPartition(topic, partition, offset)])
    pairs = []
    try:
        end = time.monotonic() + 10
        while len(pairs) < max_messages and time.monotonic() < end:
            for m in reader.consume(num_messages=max_messages - len(pairs), timeout=0.5):
                if not m.error():
                    pairs.append((m.offset(), m.value().decode("utf-8")))
    finally:
        reader.close()
    return pairs[:max_messages]
