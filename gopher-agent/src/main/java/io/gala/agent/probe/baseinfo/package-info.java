/**
 * The baseinfo probe: host CPU, memory, NICs, disks, file systems and host facts from /proc and
 * /sys.
 */
package io.gala.agent.probe.baseinfo;
