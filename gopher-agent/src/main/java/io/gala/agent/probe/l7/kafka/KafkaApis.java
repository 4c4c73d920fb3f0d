package io.gala.agent.probe.l7.kafka;

/**
 * Kafka api keys by name (https://kafka.apache.org/protocol.html#protocol_api_keys) and the first
 * "flexible" version of the ones whose responses the parser reads, where headers gain tagged
 * fields.
 */
final class KafkaApis {
  static final int PRODUCE = 0;
  static final int API_VERSIONS = 18;
  static final int CONTROLLED_SHUTDOWN = 7;

  /** Produce became flexible (KIP-482) in version 9. */
  static final int PRODUCE_FIRST_FLEXIBLE = 9;

  /** Produce v13 names topics by id instead of by name (KIP-516). */
  static final int PRODUCE_FIRST_TOPIC_ID = 13;

  private static final String[] NAMES = {
    "Produce",
    "Fetch",
    "ListOffsets",
    "Metadata",
    "LeaderAndIsr",
    "StopReplica",
    "UpdateMetadata",
    "ControlledShutdown",
    "OffsetCommit",
    "OffsetFetch",
    "FindCoordinator",
    "JoinGroup",
    "Heartbeat",
    "LeaveGroup",
    "SyncGroup",
    "DescribeGroups",
    "ListGroups",
    "SaslHandshake",
    "ApiVersions",
    "CreateTopics",
    "DeleteTopics",
    "DeleteRecords",
    "InitProducerId",
    "OffsetForLeaderEpoch",
    "AddPartitionsToTxn",
    "AddOffsetsToTxn",
    "EndTxn",
    "WriteTxnMarkers",
    "TxnOffsetCommit",
    "DescribeAcls",
    "CreateAcls",
    "DeleteAcls",
    "DescribeConfigs",
    "AlterConfigs",
    "AlterReplicaLogDirs",
    "DescribeLogDirs",
    "SaslAuthenticate",
    "CreatePartitions",
    "CreateDelegationToken",
    "RenewDelegationToken",
    "ExpireDelegationToken",
    "DescribeDelegationToken",
    "DeleteGroups",
    "ElectLeaders",
    "IncrementalAlterConfigs",
    "AlterPartitionReassignments",
    "ListPartitionReassignments",
    "OffsetDelete",
    "DescribeClientQuotas",
    "AlterClientQuotas",
    "DescribeUserScramCredentials",
    "AlterUserScramCredentials",
    "Vote",
    "BeginQuorumEpoch",
    "EndQuorumEpoch",
    "DescribeQuorum",
    "AlterPartition",
    "UpdateFeatures",
    "Envelope",
    "FetchSnapshot",
    "DescribeCluster",
    "DescribeProducers",
    "BrokerRegistration",
    "BrokerHeartbeat",
    "UnregisterBroker",
    "DescribeTransactions",
    "ListTransactions",
    "AllocateProducerIds",
    "ConsumerGroupHeartbeat",
    "ConsumerGroupDescribe",
    "ControllerRegistration",
    "GetTelemetrySubscriptions",
    "PushTelemetry",
    "AssignReplicasToDirs",
    "ListConfigResources",
    "DescribeTopicPartitions",
    "ShareGroupHeartbeat",
    "ShareGroupDescribe",
    "ShareFetch",
    "ShareAcknowledge",
    "AddRaftVoter",
    "RemoveRaftVoter",
    "UpdateRaftVoter",
    "InitializeShareGroupState",
    "ReadShareGroupState",
    "WriteShareGroupState",
    "DeleteShareGroupState",
    "ReadShareGroupStateSummary",
    "StreamsGroupHeartbeat",
    "StreamsGroupDescribe",
    "DescribeShareGroupOffsets",
    "AlterShareGroupOffsets",
    "DeleteShareGroupOffsets"
  };

  /** Highest api key accepted; keys above the named ones are future apis, still framed alike. */
  static final int MAX_KEY = 127;

  static final int MAX_VERSION = 30;

  private KafkaApis() {}

  static String name(int key) {
    return key >= 0 && key < NAMES.length ? NAMES[key] : "Api" + key;
  }

  static boolean known(int key) {
    return key >= 0 && key < NAMES.length;
  }

  /**
   * Kafka error codes that describe the request (bad topic, size, auth) rather than the broker's
   * state.
   */
  static boolean clientError(int code) {
    return switch (code) {
      case 2, 3, 4, 10, 17, 18, 21, 29, 30, 31, 33, 35, 36, 37, 38, 39, 40, 42, 43, 44, 58, 87 ->
          true;
      default -> false;
    };
  }
}
