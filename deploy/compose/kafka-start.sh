#!/bin/bash
# Compose's Kafka: one KRaft node with SASL/SCRAM-SHA-512 for clients and ACLs (StandardAuthorizer).
# SCRAM users (ap-admin and each service principal of ap_runtime/kafka_acls.py) are written into the
# metadata log when the data volume is first formatted; passwords come from the environment.
# The controller listener takes PLAIN with the admin alone (it cannot use SCRAM: it serves it).
set -euo pipefail
: "${AP_KAFKA_ADMIN_PASSWORD:?}"
config=/tmp/server.properties
cat >"$config" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@kafka:9093
listeners=SASL_PLAINTEXT://:9092,CONTROLLER://:9093,HOST://:9094
advertised.listeners=SASL_PLAINTEXT://kafka:9092,HOST://127.0.0.1:9094
listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT,HOST:SASL_PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
sasl.mechanism.controller.protocol=PLAIN
listener.name.sasl_plaintext.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="ap-admin" password="$AP_KAFKA_ADMIN_PASSWORD";
listener.name.host.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.host.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="ap-admin" password="$AP_KAFKA_ADMIN_PASSWORD" user_ap-admin="$AP_KAFKA_ADMIN_PASSWORD";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:ap-admin
allow.everyone.if.no.acl.found=false
log.dirs=/var/lib/kafka/data
num.partitions=6
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
# Event topics are history: keep records forever (the event store stays the source of truth).
log.retention.hours=-1
PROPS
cat >/tmp/admin.properties <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="ap-admin" password="$AP_KAFKA_ADMIN_PASSWORD";
PROPS
if [ ! -f /var/lib/kafka/data/meta.properties ]; then
  /opt/kafka/bin/kafka-storage.sh format -t "$(/opt/kafka/bin/kafka-storage.sh random-uuid)" -c "$config" \
    --add-scram "SCRAM-SHA-512=[name=ap-admin,password=$AP_KAFKA_ADMIN_PASSWORD]" \
    --add-scram "SCRAM-SHA-512=[name=ap-incidents,password=${AP_KAFKA_PASSWORD_AP_INCIDENTS:?}]" \
    --add-scram "SCRAM-SHA-512=[name=ap-finance,password=${AP_KAFKA_PASSWORD_AP_FINANCE:?}]" \
    --add-scram "SCRAM-SHA-512=[name=ap-reporting,password=${AP_KAFKA_PASSWORD_AP_REPORTING:?}]" \
    --add-scram "SCRAM-SHA-512=[name=ap-notifications,password=${AP_KAFKA_PASSWORD_AP_NOTIFICATIONS:?}]" \
    --add-scram "SCRAM-SHA-512=[name=ap-incidents-client,password=${AP_KAFKA_PASSWORD_AP_INCIDENTS_CLIENT:?}]"
fi
exec /opt/kafka/bin/kafka-server-start.sh "$config"
