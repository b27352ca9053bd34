# cell: ex1_answer
# verdict: wrong
# misconception: least privilege needs explicit DENY ACLs for what the service must not do (writing payments); with
#   allow.everyone.if.no.acl.found=false everything not allowed is already refused, and a DENY also overrides any
#   ALLOW granted later on purpose
# loses: test_ex1_acls
from confluent_kafka.admin import (
    AclBinding,
    AclOperation,
    AclPermissionType,
    ResourcePatternType,
    ResourceType,
)


def grant_billing(admin: AdminClient, principal: str) -> None:
    def rule(rtype, name, op, permission=AclPermissionType.ALLOW):
        return AclBinding(rtype, name, ResourcePatternType.LITERAL, principal, "*", op,
                          permission)

    bindings = [rule(ResourceType.TOPIC, "orders", AclOperation.WRITE),
                rule(ResourceType.TOPIC, "payments", AclOperation.READ),
                rule(ResourceType.GROUP, "billing", AclOperation.READ),
                # and make sure it can never write payments or read orders
                rule(ResourceType.TOPIC, "payments", AclOperation.WRITE, AclPermissionType.DENY),
                rule(ResourceType.TOPIC, "orders", AclOperation.READ, AclPermissionType.DENY)]
    for fut in admin.create_acls(bindings).values():
        fut.result(15)


ops_admin = AdminClient({**read_client_properties(ops_props), "log_level": 0})
grant_billing(ops_admin, ex1_principal)
