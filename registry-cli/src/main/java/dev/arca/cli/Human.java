package dev.arca.cli;

import java.util.Locale;

/** Sizes and times as people read them. */
final class Human {

  private Human() {}

  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = n;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  static String seconds(double s) {
    if (s < 60) {
      return String.format(Locale.ROOT, "%.1fs", s);
    }
    long whole = Math.round(s);
    return whole / 60 + "m" + String.format(Locale.ROOT, "%02d", whole % 60) + "s";
  }
}
