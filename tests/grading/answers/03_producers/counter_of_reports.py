# cell: ex1_answer
# verdict: correct
# misconception: (none) partitions collected from the reports in a list, counted with Counter after flush
def produce_keyed(config, topic, records):
    from collections import Counter

    delivered = []
    producer = Producer(config)
    for key, value in records:
        while True:
            try:
                producer.produce(topic, key=key, value=value,
                                 callback=lambda err, msg: err or delivered.append(msg.partition()))
                break
            except BufferError:
                producer.poll(0.1)
    remaining = producer.flush(60)
    assert remaining == 0, f"{remaining} records not delivered"
    return dict(Counter(delivered))
