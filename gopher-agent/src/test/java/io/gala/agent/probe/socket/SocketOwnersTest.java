package io.gala.agent.probe.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Socket owners from a /proc fixture: fd symlinks to socket:[inode]. */
class SocketOwnersTest {
  @TempDir Path proc;

  private void fd(long pid, int fd, String target) throws Exception {
    Path dir = Files.createDirectories(proc.resolve(pid + "/fd"));
    Files.createSymbolicLink(dir.resolve("" + fd), Path.of(target));
  }

  @Test
  void findsEveryProcessHoldingASocketAndTheirProcessGroup() throws Exception {
    fd(300, 3, "socket:[777]");
    fd(200, 5, "socket:[777]");
    fd(200, 6, "/dev/null");
    Files.writeString(proc.resolve("200/stat"), "200 (nginx: master) S 1 190 190 0 -1 4194560");
    SocketOwners owners = new SocketOwners(proc, 10_000, () -> 0);
    owners.rescan();
    assertThat(owners.of(777)).containsExactly(200L, 300L);
    assertThat(owners.processGroup(200)).isEqualTo(190);
    assertThat(owners.processGroup(999)).isEqualTo(999);
  }

  @Test
  void anInodeNoScanFindsTriggersOneRescanOnly() throws Exception {
    AtomicLong now = new AtomicLong(0);
    SocketOwners owners = new SocketOwners(proc, 10_000, now::get);
    owners.rescan();
    now.set(20_000);
    assertThat(owners.of(555)).isEmpty();
    fd(400, 3, "socket:[555]");
    now.set(40_000);
    // Asked before and not found: no rescan for it until the periodic refresh.
    assertThat(owners.of(555)).isEmpty();
    now.set(SocketOwners.REFRESH_MILLIS + 30_000);
    assertThat(owners.of(555)).isEqualTo(List.of(400L));
  }

  @Test
  void aNewInodeTriggersARescanOncePerInterval() throws Exception {
    AtomicLong now = new AtomicLong(0);
    SocketOwners owners = new SocketOwners(proc, 10_000, now::get);
    owners.rescan();
    fd(500, 4, "socket:[888]");
    now.set(5_000);
    assertThat(owners.of(888)).isEmpty();
    now.set(10_000);
    assertThat(owners.of(888)).containsExactly(500L);
  }
}
