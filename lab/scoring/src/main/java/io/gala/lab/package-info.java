/** The lab's replay command: recorded cases through the baselines into score tables. */
package io.gala.lab;
