K="https://github.com/apache/kafka/blob/trunk/clients/src/main/java/org/apache/kafka/common/protocol/Errors.java"
# Kafka logs an ApiException as '<exception class>: <message>'; the message is the Errors.java default.
E = [
("kafka-leader-not-available",K,"transient","kafka","org.apache.kafka.common.errors.LeaderNotAvailableException: There is no leader for this topic-partition as we are in the middle of a leadership election.",True),
("kafka-not-leader-for-partition",K,"transient","kafka","org.apache.kafka.common.errors.NotLeaderForPartitionException: This server is not the leader for that topic-partition.",True),
("kafka-request-timed-out",K,"transient","kafka","org.apache.kafka.common.errors.TimeoutException: The request timed out.",True),
("kafka-broker-not-available",K,"transient","kafka","org.apache.kafka.common.errors.BrokerNotAvailableException: The broker is not available.",True),
("kafka-network-exception",K,"transient","kafka","org.apache.kafka.common.errors.NetworkException: The server disconnected before a response was received.",True),
("kafka-coordinator-load-in-progress",K,"transient","kafka","org.apache.kafka.common.errors.CoordinatorLoadInProgressException: The coordinator is loading and hence can't process requests.",True),
("kafka-coordinator-not-available",K,"transient","kafka","org.apache.kafka.common.errors.CoordinatorNotAvailableException: The coordinator is not available.",True),
("kafka-rebalance-in-progress",K,"transient","kafka","org.apache.kafka.common.errors.RebalanceInProgressException: The group is rebalancing, so a rejoin is needed.",True),
("kafka-not-enough-replicas",K,"transient","kafka","org.apache.kafka.common.errors.NotEnoughReplicasException: Messages are rejected since there are fewer in-sync replicas than required.",True),
("kafka-concurrent-transactions",K,"transient","kafka","org.apache.kafka.common.errors.ConcurrentTransactionsException: The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing",True),
("kafka-topic-authorization-failed",K,"permission","kafka","org.apache.kafka.common.errors.TopicAuthorizationException: Topic authorization failed.",True),
("kafka-group-authorization-failed",K,"permission","kafka","org.apache.kafka.common.errors.GroupAuthorizationException: Group authorization failed.",True),
("kafka-cluster-authorization-failed",K,"permission","kafka","org.apache.kafka.common.errors.ClusterAuthorizationException: Cluster authorization failed.",True),
("kafka-unknown-topic-or-partition",K,"dependency","kafka","org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.",True),
("kafka-corrupt-record",K,"data_quality","kafka","org.apache.kafka.common.errors.CorruptRecordException: This message has failed its CRC checksum, exceeds the valid size, or is otherwise corrupt.",True),
("kafka-invalid-timestamp",K,"data_quality","kafka","org.apache.kafka.common.errors.InvalidTimestampException: The timestamp of the message is out of acceptable range.",True),
("kafka-invalid-configuration",K,"config","kafka","org.apache.kafka.common.errors.InvalidConfigurationException: Configuration is invalid.",True),
("kafka-unsupported-sasl-mechanism",K,"config","kafka","org.apache.kafka.common.errors.UnsupportedSaslMechanismException: The broker does not support the requested SASL mechanism.",True),
("kafka-invalid-replication-factor",K,"config","kafka","org.apache.kafka.common.errors.InvalidReplicationFactorException: Replication-factor is invalid.",True),
]
