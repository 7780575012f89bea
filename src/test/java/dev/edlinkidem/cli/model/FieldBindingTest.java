package dev.edlinkidem.cli.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine.PicocliException;

class FieldBindingTest {
  @SuppressWarnings("unused") // read and written through FieldBinding
  private static class Fields {
    private boolean z = true;
    private int i = 1;
    private long j = 2;
    private double d = 3.5;
    private float f = 4.5f;
    private short s = 5;
    private byte b = 6;
    private char c = 'c';
    private String text = "t";
    private List<String> list;
  }

  private static class Sub extends Fields {}

  private static class Shadow extends Fields {
    @SuppressWarnings("unused") // read and written through FieldBinding
    private int i = 100;
  }

  @ParameterizedTest
  @CsvSource({"z,true,false", "i,1,7", "j,2,8", "d,3.5,9.5", "f,4.5,10.5", "s,5,11", "b,6,12"})
  void readsAndWritesEachKindOfField(String name, String initial, String next) {
    Fields target = new Fields();
    FieldBinding binding = FieldBinding.of(target, name, null);
    Object before = binding.get();
    assertEquals(initial, String.valueOf(before));
    Object value = boxed(before.getClass(), next);
    assertEquals(before, binding.set(value));
    assertEquals(value, binding.get());
  }

  @Test
  void readsAndWritesCharsReferencesAndNulls() {
    Fields target = new Fields();
    assertEquals('c', (char) FieldBinding.of(target, "c", null).get());
    FieldBinding.of(target, "c", null).set('x');
    assertEquals('x', target.c);
    FieldBinding text = FieldBinding.of(target, "text", null);
    assertEquals("t", text.set("u"));
    assertEquals("u", target.text);
    text.set(null);
    assertNull(target.text);
    FieldBinding.of(target, "list", null).set(List.of("a"));
    assertEquals(List.of("a"), target.list);
  }

  @Test
  void findsAFieldOfTheSuperclassTheModelNames() {
    Sub target = new Sub();
    FieldBinding.of(target, "i", Fields.class.getName()).set(42);
    assertEquals(42, ((Fields) target).i);
  }

  @Test
  void aShadowedFieldIsTheOneOfTheClassTheModelNames() {
    Shadow target = new Shadow();
    assertEquals(100, (int) FieldBinding.of(target, "i", null).get());
    assertEquals(1, (int) FieldBinding.of(target, "i", Fields.class.getName()).get());
    FieldBinding.of(target, "i", Fields.class.getName()).set(7);
    assertEquals(7, ((Fields) target).i);
    assertEquals(100, target.i);
  }

  @Test
  void aValueOfTheWrongKindIsPicoclisErrorNotACrash() {
    Fields target = new Fields();
    assertThrows(PicocliException.class, () -> FieldBinding.of(target, "i", null).set("seven"));
    assertThrows(PicocliException.class, () -> FieldBinding.of(target, "z", null).set(null));
    assertEquals(1, target.i);
  }

  @Test
  void aFieldTheModelNamesThatIsNotThereSaysTheFileIsOutOfDate() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> FieldBinding.of(new Fields(), "gone", null));
    assertEquals(true, e.getMessage().contains("out of date"), e.getMessage());
  }

  private static Object boxed(Class<?> type, String text) {
    return switch (type.getSimpleName()) {
      case "Boolean" -> Boolean.valueOf(text);
      case "Integer" -> Integer.valueOf(text);
      case "Long" -> Long.valueOf(text);
      case "Double" -> Double.valueOf(text);
      case "Float" -> Float.valueOf(text);
      case "Short" -> Short.valueOf(text);
      case "Byte" -> Byte.valueOf(text);
      default -> throw new AssertionError(type);
    };
  }
}
