# cell: ex1_answer
# verdict: correct
# misconception: none: WRITE/READ plus an explicit DESCRIBE on each of the three resources; Kafka's authorizer
#   already implies DESCRIBE from READ and WRITE on every resource type, so this grants nothing more than the
#   minimum (the same reasoning as the DESCRIBE on the topics the test accepts)
from confluent_kafka.admin import (
    AclBinding,
    AclOperation,
    AclPermissionType,
    ResourcePatternType,
    ResourceType,
)


def grant_billing(admin: AdminClient, principal: str) -> None:
    needs = {(ResourceType.TOPIC, "orders"): [AclOperation.WRITE, AclOperation.DESCRIBE],
             (ResourceType.TOPIC, "payments"): [AclOperation.READ, AclOperation.DESCRIBE],
             (ResourceType.GROUP, "billing"): [AclOperation.READ, AclOperation.DESCRIBE]}
    bindings = [AclBinding(rtype, name, ResourcePatternType.LITERAL, principal, "*", op,
                           AclPermissionType.ALLOW)
                for (rtype, name), ops in needs.items() for op in ops]
    results = admin.create_acls(bindings, request_timeout=15)
    for binding, fut in results.items():
        fut.result(15)


ops_admin = AdminClient({**read_client_properties(ops_props), "log_level": 0})
grant_billing(ops_admin, ex1_principal)
