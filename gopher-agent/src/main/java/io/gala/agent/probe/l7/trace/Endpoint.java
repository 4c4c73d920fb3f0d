package io.gala.agent.probe.l7.trace;

/** An "ip:port" or "[ipv6]:port" end of a slow request, split back into address and port. */
record Endpoint(String address, int port) {
  static Endpoint parse(String text) {
    if (text == null) {
      return new Endpoint("", 0);
    }
    int colon = text.lastIndexOf(':');
    if (colon < 0) {
      return new Endpoint(text, 0);
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = 0;
    }
    return new Endpoint(host, port);
  }
}
