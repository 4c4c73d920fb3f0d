package io.gala.agent.config;

import io.gala.agent.probe.Identity;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.logging.Logger;

/**
 * Resolves the node's {@code machine_id} as gala-ops builds it, {@code <system-uuid>-<host-ip>}:
 * the system UUID (DMI product_uuid), else /etc/machine-id; the host IP is the first global IPv4
 * address (of the scoped namespace when the agent is scoped). Both can be overridden in the config.
 */
public final class NodeIdentity {
  private static final Logger LOG = Logger.getLogger(NodeIdentity.class.getName());

  private NodeIdentity() {}

  public static Identity resolve(AgentConfig config) {
    String ip = config.hostIp.isEmpty() ? hostIp(config.netns) : config.hostIp;
    String id = config.machineId.isEmpty() ? systemUuid() + "-" + ip : config.machineId;
    return new Identity(id, ip);
  }

  static String systemUuid() {
    for (Path p :
        List.of(
            Path.of("/sys/class/dmi/id/product_uuid"),
            Path.of("/etc/machine-id"),
            Path.of("/var/lib/dbus/machine-id"))) {
      try {
        String v = Files.readString(p).strip().toLowerCase();
        if (!v.isEmpty()) {
          return v;
        }
      } catch (IOException e) {
        LOG.fine(() -> "no machine id in " + p + ": " + e);
      }
    }
    LOG.warning("no system UUID or /etc/machine-id; set machine_id in the agent config");
    return "unknown";
  }

  static String hostIp(String netns) {
    if (!netns.isEmpty()) {
      return netnsIp(netns);
    }
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (nic.isLoopback() || !nic.isUp()) {
          continue;
        }
        for (InetAddress a : Collections.list(nic.getInetAddresses())) {
          if (a instanceof Inet4Address && !a.isLinkLocalAddress()) {
            return a.getHostAddress();
          }
        }
      }
    } catch (SocketException e) {
      LOG.warning("cannot list network interfaces: " + e);
    }
    return "127.0.0.1";
  }

  /** First global IPv4 address inside a named namespace, through iproute2 (`ip -n NAME`). */
  private static String netnsIp(String netns) {
    String name = Path.of(netns).getFileName().toString();
    try {
      Process p =
          new ProcessBuilder("ip", "-n", name, "-4", "-o", "addr", "show", "scope", "global")
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor();
      for (String line : out.split("\n")) {
        String[] f = line.trim().split("\\s+");
        for (int i = 0; i + 1 < f.length; i++) {
          if (f[i].equals("inet")) {
            return f[i + 1].split("/")[0];
          }
        }
      }
    } catch (IOException e) {
      LOG.warning("cannot read addresses of netns " + name + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return "127.0.0.1";
  }
}
