package io.gala.agent.probe.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names from a sysfs fixture laid out as the kernel does (/sys/dev/block links into /sys/devices).
 */
class BlockDevicesTest {
  @TempDir Path sys;
  private BlockDevices devices;

  @BeforeEach
  void fixture() throws IOException {
    Path block = sys.resolve("devices/pci0000:00/0000:00:05.0/virtio1/block");
    Path sda = Files.createDirectories(block.resolve("sda"));
    Path sda2 = Files.createDirectories(sda.resolve("sda2"));
    Files.writeString(sda2.resolve("partition"), "2\n");
    Path loop0 = Files.createDirectories(sys.resolve("devices/virtual/block/loop0"));
    Path dm0 = Files.createDirectories(sys.resolve("devices/virtual/block/dm-0"));
    Files.createDirectories(dm0.resolve("slaves"));
    Files.createSymbolicLink(dm0.resolve("slaves/sda2"), sda2);
    Path dev = Files.createDirectories(sys.resolve("dev/block"));
    Files.createSymbolicLink(dev.resolve("8:0"), sda);
    Files.createSymbolicLink(dev.resolve("8:2"), sda2);
    Files.createSymbolicLink(dev.resolve("7:0"), loop0);
    Files.createSymbolicLink(dev.resolve("253:0"), dm0);
    devices = new BlockDevices(sys);
  }

  @Test
  void namesAWholeDiskAfterItself() {
    assertThat(devices.names(8, 0)).isEqualTo(new BlockDevices.Names("sda", "sda"));
    assertThat(devices.names(7, 0)).isEqualTo(new BlockDevices.Names("loop0", "loop0"));
  }

  @Test
  void namesAPartitionAfterItsDisk() {
    assertThat(devices.names(8, 2)).isEqualTo(new BlockDevices.Names("sda2", "sda"));
  }

  @Test
  void namesAStackedDeviceAfterTheDiskBelowIt() {
    assertThat(devices.names(253, 0)).isEqualTo(new BlockDevices.Names("dm-0", "sda"));
  }

  @Test
  void knowsWhenADeviceIsGone() throws IOException {
    assertThat(devices.exists(7, 0)).isTrue();
    assertThat(devices.names(9, 9)).isEqualTo(BlockDevices.Names.UNKNOWN);
    Files.delete(sys.resolve("dev/block/7:0"));
    assertThat(devices.exists(7, 0)).isFalse();
  }
}
