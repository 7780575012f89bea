package dev.edlinkidem.net;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The hosts that go direct although a proxy is set: a {@code NO_PROXY} list, read as curl reads it.
 * Entries are separated by commas (and spaces); {@code *} as the whole list means every host. A
 * name matches itself and the names under it, on a dot ({@code example.com} and {@code
 * .example.com} both match {@code api.example.com}, never {@code badexample.com}); a leading {@code
 * *.} counts as a dot. An IP address, or a CIDR range like {@code 10.0.0.0/8}, matches hosts
 * written as IP addresses in it, IPv6 without brackets. An entry with a port, and one that is not
 * an address or a name, matches nothing.
 */
public final class NoProxy {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  /** No exemptions: every host goes through the proxy. */
  public static final NoProxy NONE = new NoProxy(false, List.of(), List.of());

  private final boolean everyHost;
  private final List<String> names;
  private final List<Range> ranges;

  private NoProxy(boolean everyHost, List<String> names, List<Range> ranges) {
    this.everyHost = everyHost;
    this.names = names;
    this.ranges = ranges;
  }

  /** An IP address range: the first {@code bits} bits of {@code address}. */
  private record Range(byte[] address, int bits) {
    boolean contains(byte[] other) {
      if (other.length != address.length) {
        return false;
      }
      int shift = address.length * 8 - bits;
      return new BigInteger(1, other)
          .shiftRight(shift)
          .equals(new BigInteger(1, address).shiftRight(shift));
    }
  }

  /** The list {@code text}; null or blank is none. */
  public static NoProxy parse(String text) {
    if (text == null || text.isBlank()) {
      return NONE;
    }
    if (text.strip().equals("*")) {
      return new NoProxy(true, List.of(), List.of());
    }
    List<String> names = new ArrayList<>();
    List<Range> ranges = new ArrayList<>();
    for (String raw : text.split("[,\\s]+")) {
      String entry = raw.toLowerCase(Locale.ROOT);
      if (entry.isEmpty()) {
        continue;
      }
      Range range = range(entry);
      if (range != null) {
        ranges.add(range);
      } else if (entry.indexOf(':') < 0 && entry.indexOf('/') < 0) {
        String name = entry.startsWith("*.") ? entry.substring(2) : entry;
        name = name.startsWith(".") ? name.substring(1) : name;
        name = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (!name.isEmpty()) {
          names.add(name);
        }
      }
      // An entry with a port (host:8080), and anything else, matches nothing, as in curl.
    }
    return new NoProxy(false, List.copyOf(names), List.copyOf(ranges));
  }

  /** Whether {@code host} (a name, or an IP address, IPv6 with or without brackets) goes direct. */
  public boolean exempts(String host) {
    if (everyHost) {
      return true;
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    byte[] address = literal(h);
    if (address != null) {
      for (Range range : ranges) {
        if (range.contains(address)) {
          return true;
        }
      }
      return names.contains(h);
    }
    String name = h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    for (String entry : names) {
      if (name.equals(entry) || name.endsWith("." + entry)) {
        return true;
      }
    }
    return false;
  }

  /** Whether no host is exempt. */
  public boolean isEmpty() {
    return !everyHost && names.isEmpty() && ranges.isEmpty();
  }

  /** An address or CIDR range, or null when {@code entry} is neither. */
  private static Range range(String entry) {
    int slash = entry.indexOf('/');
    String address = slash < 0 ? entry : entry.substring(0, slash);
    byte[] bytes = literal(address);
    if (bytes == null) {
      return null;
    }
    int bits = bytes.length * 8;
    if (slash >= 0) {
      try {
        bits = Integer.parseInt(entry.substring(slash + 1));
      } catch (NumberFormatException e) {
        return null;
      }
      if (bits < 0 || bits > bytes.length * 8) {
        return null;
      }
    }
    return new Range(bytes, bits);
  }

  /**
   * The bytes of an IP address written as one, or null: no name is ever looked up, since the
   * address is only parsed when it has an address's shape.
   */
  static byte[] literal(String text) {
    boolean v4 = IPV4.matcher(text).matches();
    if (!v4 && !(IPV6.matcher(text).matches() && text.indexOf(':') != text.lastIndexOf(':'))) {
      return null;
    }
    if (v4) {
      for (String part : text.split("\\.")) {
        if (Integer.parseInt(part) > 255) {
          return null;
        }
      }
    }
    try {
      return InetAddress.getByName(text).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
