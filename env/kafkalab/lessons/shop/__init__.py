"""A small online shop whose services talk through Kafka (notebook 07).

    from kafkalab import start_cluster
    from kafkalab.lessons.shop import Shop
    with start_cluster(brokers=3) as cluster, Shop(cluster) as shop:
        print(shop.url)   # the REST gateway; its OpenAPI page is shop.url + "/docs"

Modules:

* ``runner``: :class:`Shop` starts, kills, restarts and scales the service processes
  (each a :class:`kafkalab.procs.Child`); ``serve`` is one process's entry point
  (``python -m kafkalab.lessons.shop.serve <role>``).
* ``gateway``: the REST gateway (FastAPI), one router per resource; ``syncchain``: the same shop
  as a synchronous HTTP chain.
* ``worker``, ``services``, ``views``, ``fetchwatch``, ``health``: the Kafka-side services, their
  shared consumer runtime, the compacted tables read back on start, the stalled-partition watch
  and the health endpoint.
* ``topics`` (names, events, creation), ``models`` (request bodies).
* ``load`` (open-loop order streams and fault schedules), ``plots`` (notebook 07's figures),
  ``exercises`` (notebook 07's exercise helpers), ``bench`` (the shop's figures).
* ``cli``: :func:`~kafkalab.lessons.shop.cli.main`, behind ``kafka-lab shop
  up|down|status|bench``.
"""

from .runner import CATALOG, KAFKA_SERVICES, Shop, ShopError

__all__ = ["CATALOG", "KAFKA_SERVICES", "Shop", "ShopError"]
