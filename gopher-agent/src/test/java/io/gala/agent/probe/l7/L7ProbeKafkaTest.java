package io.gala.agent.probe.l7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.sun.tools.attach.VirtualMachine;
import io.gala.agent.probe.ProbeConfig.Snoopers;
import io.gala.agent.table.Row;
import io.gala.agent.testing.KernelTest;
import io.gala.broker.BrokerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The l7 probe against Kafka's own broker (a child JVM) and a producer: Produce requests (api key
 * 0) counted on the broker's side against the broker's RequestMetrics (read over JMX).
 */
@KernelTest
class L7ProbeKafkaTest {
  private static Path dir;
  private static BrokerProcess broker;

  @BeforeAll
  static void startBroker() throws Exception {
    dir = Files.createTempDirectory("gt-l7-kafka");
    broker = BrokerProcess.start(dir);
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (broker != null) {
      broker.close();
    }
    Servers.run(List.of("rm", "-rf", dir.toString()));
  }

  @Test
  void countsProduceRequestsAsTheBrokerDoes() throws Exception {
    Snoopers snoopers =
        new Snoopers(List.of(broker.pid(), ProcessHandle.current().pid()), List.of(), List.of());
    try (L7Probe probe = new L7Probe();
        JMXConnector jmx = jmx(broker.pid())) {
      probe.start(Servers.context(snoopers, Map.of("l7_protocol", "kafka", "ringbuf_kb", 65536)));
      MBeanServerConnection mbeans = jmx.getMBeanServerConnection();
      long before = produceRequests(mbeans);
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
        for (int i = 0; i < 2000; i++) {
          producer.send(new ProducerRecord<>("gala-l7", "k" + i, "value " + i));
          if (i % 50 == 0) {
            producer.flush();
          }
        }
        producer.flush();
      }
      long truth = produceRequests(mbeans) - before;
      Thread.sleep(500);
      List<Row> rows = Servers.sample(probe);

      double server =
          rows.stream()
              .filter(
                  r ->
                      r.table() == L7Tables.RPC_API
                          && r.key("l7_role").equals("server")
                          && r.key("api").equals("Produce"))
              .mapToDouble(r -> r.value("req_count"))
              .sum();
      double client =
          rows.stream()
              .filter(
                  r ->
                      r.table() == L7Tables.RPC_API
                          && r.key("l7_role").equals("client")
                          && r.key("api").equals("Produce"))
              .mapToDouble(r -> r.value("resp_count"))
              .sum();
      System.out.printf(
          "l7 kafka: Produce server-side %.0f, client-side responses %.0f, broker RequestsPerSec "
              + "count %d, health %s%n",
          server, client, truth, probe.health());
      assertThat(truth).isPositive();
      assertThat(server).isCloseTo(truth, within(Math.max(1, truth * 0.01)));
      assertThat(client).isCloseTo(truth, within(Math.max(1, truth * 0.01)));
    }
  }

  /**
   * The broker's Produce request count: kafka.network RequestMetrics RequestsPerSec, every version.
   */
  private static long produceRequests(MBeanServerConnection mbeans) throws Exception {
    long total = 0;
    for (ObjectName n :
        mbeans.queryNames(
            new ObjectName(
                "kafka.network:type=RequestMetrics,name=RequestsPerSec,request=Produce,*"),
            null)) {
      total += ((Number) mbeans.getAttribute(n, "Count")).longValue();
    }
    return total;
  }

  private static JMXConnector jmx(long pid) throws Exception {
    VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
    try {
      return JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()));
    } finally {
      vm.detach();
    }
  }
}
