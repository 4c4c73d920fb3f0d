package io.gala.agent.probe.l7.protocol;

/**
 * SQL text helpers shared by the PostgreSQL and MySQL parsers: the statement kind used as the api
 * ({@code SELECT}, {@code UPDATE}, ...) and the text with literal values masked for slow-request
 * traces.
 */
public final class Statements {
  private static final int MAX_KIND = 24;

  private Statements() {}

  /** The first keyword of a statement, upper-cased, after blanks, comments and parentheses. */
  public static String kind(String sql) {
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (Character.isWhitespace(c) || c == '(' || c == ';') {
        i++;
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        int nl = sql.indexOf('\n', i);
        i = nl < 0 ? n : nl + 1;
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
      } else {
        break;
      }
    }
    int start = i;
    while (i < n && i - start < MAX_KIND && isLetter(sql.charAt(i))) {
      i++;
    }
    return i == start
        ? (start == n ? "EMPTY" : "OTHER")
        : sql.substring(start, i).toUpperCase(java.util.Locale.ROOT);
  }

  private static boolean isLetter(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_';
  }

  /**
   * The statement with string and numeric literals replaced by {@code ?}: {@code '...'} (with
   * {@code ''} escapes and backslash escapes), dollar-quoted strings, and, where the dialect uses
   * them for strings (MySQL), {@code "..."}. Identifiers with digits ({@code t1}) and placeholders
   * ({@code $1}) stay.
   */
  public static String mask(String sql, boolean doubleQuotedStrings) {
    StringBuilder out = new StringBuilder(sql.length());
    int n = sql.length();
    int i = 0;
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\'' || c == '"' && doubleQuotedStrings) {
        i = skipQuoted(sql, i, c);
        out.append('?');
      } else if (c == '$'
          && i + 1 < n
          && (sql.charAt(i + 1) == '$' || isLetter(sql.charAt(i + 1)))) {
        int tagEnd = sql.indexOf('$', i + 1);
        if (tagEnd < 0) {
          out.append(c);
          i++;
          continue;
        }
        String tag = sql.substring(i, tagEnd + 1);
        int close = sql.indexOf(tag, tagEnd + 1);
        i = close < 0 ? n : close + tag.length();
        out.append('?');
      } else if (Character.isDigit(c) && (i == 0 || !isWordChar(sql.charAt(i - 1)))) {
        while (i < n && (isWordChar(sql.charAt(i)) || sql.charAt(i) == '.')) {
          i++;
        }
        out.append('?');
      } else if (c == '-'
          && i + 1 < n
          && Character.isDigit(sql.charAt(i + 1))
          && (out.length() == 0 || "=<>(,+-*/ ".indexOf(out.charAt(out.length() - 1)) >= 0)) {
        i++; // a negative number: the digits follow and become ?
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private static boolean isWordChar(char c) {
    return isLetter(c) || Character.isDigit(c) || c == '$';
  }

  private static int skipQuoted(String s, int i, char q) {
    int n = s.length();
    int j = i + 1;
    while (j < n) {
      char c = s.charAt(j);
      if (c == '\\' && j + 1 < n) {
        j += 2;
      } else if (c == q) {
        if (j + 1 < n && s.charAt(j + 1) == q) {
          j += 2;
        } else {
          return j + 1;
        }
      } else {
        j++;
      }
    }
    return n;
  }
}
