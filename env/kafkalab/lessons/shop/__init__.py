"""A small online shop whose services talk through Kafka (notebook 07).

    from kafkalab import start_cluster
    from kafkalab.lessons.shop import Shop
    with start_cluster(brokers=3) as cluster, Shop(cluster) as shop:
        print(shop.url)   # the REST gateway; its OpenAPI page is shop.url + "/docs"

CLI: ``python -m kafkalab.lessons.shop up|down|status|bench``.
"""

from .runner import CATALOG, KAFKA_SERVICES, Shop, ShopError

__all__ = ["CATALOG", "KAFKA_SERVICES", "Shop", "ShopError"]
