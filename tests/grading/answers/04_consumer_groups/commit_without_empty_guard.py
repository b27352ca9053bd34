# cell: ex1_answer
# verdict: wrong
# misconception: commit() after every consume() call, also when it returned nothing (commit() with no new offset raises KafkaException _NO_OFFSET: the workers die while the group forms)
# loses: ex1_test_none_lost
# may_lose: ex1_test_committed, ex1_test_shared
# A worker dies on its first empty consume(): before its assignment (startup, each of the three
# joins rebalances the group) or during a rebalance. Which workers processed anything before
# dying depends on how fast the group formed: usually none or one (then committed and shared
# fail too); the rare run where one worker processes everything keeps ex1_test_none_lost.
def at_least_once_worker(config, topic, process, should_stop):
    consumer = Consumer({**config, "enable.auto.commit": False})
    consumer.subscribe([topic])
    try:
        while not should_stop():
            for msg in consumer.consume(50, 0.5):
                if msg.error() is None:
                    process(msg)
            consumer.commit(asynchronous=False)
    finally:
        consumer.close()
