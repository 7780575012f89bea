package dev.edlinkidem.manpage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TroffTest {
  @Test
  void escapesWhatTroffWouldReadAsMarkupOrPrintDifferently() {
    assertEquals("\\-\\-all\\-pending", Troff.escape("--all-pending"));
    assertEquals("C:\\eUsers", Troff.escape("C:\\Users"));
    assertEquals(
        "\\-d \\(aq{}\\(aq \\(ti/.config \\(ga\\(ha", Troff.escape("-d '{}' ~/.config `^"));
    assertEquals("a \\[u00B7] b \\[u1F600]", Troff.escape("a \u00B7 b \uD83D\uDE00"));
  }

  @Test
  void guardsALineThatWouldBeARequest() {
    assertEquals("\\&.local is hidden", Troff.line(Troff.escape(".local is hidden")));
    assertEquals("\\(aqquoted\\(aq", Troff.line(Troff.escape("'quoted'")));
    assertEquals("\\&'raw", Troff.line("'raw"));
    assertEquals("a.b", Troff.line("a.b"));
    assertThrows(IllegalArgumentException.class, () -> Troff.escape("two\nlines"));
  }

  @Test
  void turnsPicocliStylesIntoFonts() {
    String ansi =
        "\u001B[1medlink-idem post\u001B[21m\u001B[0m"
            + " [\u001B[1m--key\u001B[21m\u001B[0m=\u001B[3mKEY\u001B[23m\u001B[0m]";
    assertEquals("\\fBedlink\\-idem post\\fR [\\fB\\-\\-key\\fR=\\fIKEY\\fR]", Troff.styled(ansi));
    assertEquals("\\fBbold\\fR", Troff.styled("\u001B[1mbold"));
    assertEquals("plain", Troff.styled("plain"));
  }
}
