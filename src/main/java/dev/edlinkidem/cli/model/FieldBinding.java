package dev.edlinkidem.cli.model;

import java.lang.reflect.Field;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.PicocliException;

/** An option or parameter bound to one field of one object, as picocli binds an annotated field. */
final class FieldBinding implements IGetter, ISetter {
  private final Object target;
  private final Field field;

  private FieldBinding(Object target, Field field) {
    this.target = target;
    this.field = field;
  }

  /** The field called {@code name} of {@code target}'s class or one of its superclasses. */
  static FieldBinding of(Object target, String name) {
    return new FieldBinding(target, field(target.getClass(), name));
  }

  static Field field(Class<?> type, String name) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      try {
        Field field = c.getDeclaredField(name);
        field.setAccessible(true);
        return field;
      } catch (NoSuchFieldException e) {
        // look in the superclass
      }
    }
    throw new IllegalStateException("the command model names a field " + type.getName() + "." + name
        + " that does not exist: the model file is out of date");
  }

  Field field() {
    return field;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T get() {
    try {
      return (T) field.get(target);
    } catch (IllegalAccessException e) {
      throw new PicocliException("Could not get value for field " + field, e);
    }
  }

  @Override
  public <T> T set(T value) {
    T old = get();
    try {
      field.set(target, value);
    } catch (IllegalAccessException | IllegalArgumentException e) {
      throw new PicocliException("Could not set value for field " + field + " to " + value, e);
    }
    return old;
  }

  @Override
  public String toString() {
    return "FieldBinding(" + field.getType().getName() + " " + field.getDeclaringClass().getName()
        + "." + field.getName() + ")";
  }
}
