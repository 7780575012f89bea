package dev.edlinkidem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.annotation.Annotation;
import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Picocli reads the annotations of every field and method of a command, its mixins and argument
 * groups; the JDK makes a proxy class at run time for each kind of annotation it finds there, a few
 * milliseconds of every cold start each. Only picocli's own are there.
 */
class ReflectedAnnotationsTest {
  @Test
  void theCommandsMembersCarryNoAnnotationsButPicoclis() {
    Deque<Class<?>> todo = new ArrayDeque<>(EdlinkIdem.COMMANDS.values());
    todo.add(EdlinkIdem.class);
    Set<Class<?>> seen = new HashSet<>();
    List<String> others = new ArrayList<>();
    while (!todo.isEmpty()) {
      for (Class<?> c = todo.pop(); c != null && c != Object.class && seen.add(c); ) {
        List<AccessibleObject> members = new ArrayList<>(List.of(c.getDeclaredFields()));
        members.addAll(List.of(c.getDeclaredMethods()));
        members.addAll(List.of(c.getDeclaredConstructors()));
        for (AccessibleObject member : members) {
          for (Annotation a : member.getDeclaredAnnotations()) {
            if (!a.annotationType().getName().startsWith("picocli.")) {
              others.add(
                  c.getName()
                      + "."
                      + ((Member) member).getName()
                      + ": @"
                      + a.annotationType().getSimpleName());
            }
          }
          if (member instanceof Field f
              && (f.isAnnotationPresent(CommandLine.Mixin.class)
                  || f.isAnnotationPresent(CommandLine.ArgGroup.class))) {
            todo.add(f.getType());
          }
        }
        c = c.getSuperclass();
      }
    }
    assertEquals(List.of(), others);
  }
}
