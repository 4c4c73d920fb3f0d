package io.gala.server.api;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the time parameters of the API: epoch milliseconds ({@code 1764054000000}), ISO-8601
 * instants ({@code 2026-11-25T07:00:00Z}), {@code now}, or now minus a duration ({@code now-15m},
 * {@code -15m}; units ms, s, m, h, d).
 */
final class TimeParam {
  private static final Pattern RELATIVE = Pattern.compile("(?:now)?-(\\d{1,9})(ms|s|m|h|d)");

  /**
   * Clocks of a browser and a server differ a little: "now" from a client may be slightly ahead.
   */
  static final long FUTURE_SLACK_MILLIS = 60_000;

  private TimeParam() {}

  static long parse(String name, String value, long now) {
    if (value == null || value.isBlank()) {
      throw new BadRequestException(
          name + " is empty: give epoch milliseconds, an ISO-8601 time, now or now-15m");
    }
    String v = value.trim();
    long t;
    if (v.equals("now")) {
      t = now;
    } else if (v.chars().allMatch(Character::isDigit) && v.length() <= 15) {
      t = Long.parseLong(v);
      if (v.length() <= 10) {
        throw new BadRequestException(
            name
                + "="
                + v
                + " looks like epoch seconds: give epoch milliseconds ("
                + (t * 1000)
                + ") or an ISO-8601 time");
      }
    } else {
      Matcher m = RELATIVE.matcher(v);
      if (m.matches()) {
        t = now - toMillis(Long.parseLong(m.group(1)), m.group(2));
      } else {
        try {
          t = Instant.parse(v).toEpochMilli();
        } catch (DateTimeParseException e) {
          throw new BadRequestException(
              name
                  + "='"
                  + abbreviate(v)
                  + "' is not a time: give epoch milliseconds, "
                  + "an ISO-8601 time (2026-11-25T07:00:00Z), now or now-15m");
        }
      }
    }
    if (t > now + FUTURE_SLACK_MILLIS) {
      throw new BadRequestException(
          name
              + "="
              + v
              + " is in the future ("
              + Instant.ofEpochMilli(t)
              + ", server time "
              + Instant.ofEpochMilli(now)
              + ")");
    }
    if (t < 0) {
      throw new BadRequestException(name + "=" + v + " is before 1970");
    }
    return t;
  }

  private static long toMillis(long n, String unit) {
    return switch (unit) {
      case "ms" -> n;
      case "s" -> Duration.ofSeconds(n).toMillis();
      case "m" -> Duration.ofMinutes(n).toMillis();
      case "h" -> Duration.ofHours(n).toMillis();
      default -> Duration.ofDays(n).toMillis();
    };
  }

  static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "...";
  }
}
