package dev.edlinkidem.net;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NoProxyTest {
  @Test
  void namesMatchThemselvesAndTheNamesUnderThemOnADot() {
    NoProxy list = NoProxy.parse("example.com, .corp.example ,*.lab.example,host.");
    assertTrue(list.exempts("example.com"));
    assertTrue(list.exempts("api.example.com"));
    assertTrue(list.exempts("API.Example.COM."));
    assertFalse(list.exempts("badexample.com"));
    assertTrue(list.exempts("corp.example"), "a leading dot is ignored, as curl does");
    assertTrue(list.exempts("x.corp.example"));
    assertTrue(list.exempts("a.lab.example"), "*. reads as a dot");
    assertTrue(list.exempts("host"));
    assertFalse(list.exempts("ed.link"));
  }

  @Test
  void anAsteriskIsEveryHostOnlyAsTheWholeList() {
    assertTrue(NoProxy.parse("*").exempts("ed.link"));
    assertTrue(NoProxy.parse(" * ").exempts("10.1.2.3"));
    assertFalse(NoProxy.parse("example.com,*").exempts("ed.link"));
  }

  @Test
  void addressesAndRangesMatchAddressesOnly() {
    NoProxy list = NoProxy.parse("10.0.0.0/8,192.168.1.7,::1,fd00::/8");
    assertTrue(list.exempts("10.200.3.4"));
    assertFalse(list.exempts("11.0.0.1"));
    assertTrue(list.exempts("192.168.1.7"));
    assertFalse(list.exempts("192.168.1.8"));
    assertTrue(list.exempts("[::1]"));
    assertTrue(list.exempts("fd12:3456::1"));
    assertFalse(list.exempts("fe80::1"));
    assertFalse(list.exempts("10.example"), "a name is not looked up");
  }

  @Test
  void entriesWithAPortOrThatAreNothingMatchNothing() {
    NoProxy list = NoProxy.parse("ed.link:443,10.0.0.0/99,,");
    assertFalse(list.exempts("ed.link"));
    assertFalse(list.exempts("10.0.0.1"));
    assertTrue(NoProxy.parse("").isEmpty());
    assertTrue(NoProxy.parse(null).isEmpty());
  }
}
