package dev.edlinkidem.cli.model;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.IScope;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.PicocliException;

/**
 * An option or parameter bound to one field of one object, as picocli binds an annotated field;
 * through a {@link VarHandle}, each access with the field's exact type. On JDK 25 the first {@code
 * Field.get} or {@code set} of each kind of field makes method-handle classes, about a millisecond
 * each in a cold command; an exactly typed VarHandle access makes none.
 */
final class FieldBinding implements IGetter, ISetter {
  private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

  private final Object target;
  private final Field field;
  private final VarHandle handle;

  private FieldBinding(Object target, Field field) {
    this.target = target;
    this.field = field;
    try {
      this.handle =
          MethodHandles.privateLookupIn(field.getDeclaringClass(), LOOKUP)
              .unreflectVarHandle(field);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot reach the field " + field, e);
    }
  }

  /**
   * The field called {@code name} of {@code target}: declared by its class, or by the superclass
   * called {@code declaredIn} when that is not null.
   */
  static FieldBinding of(Object target, String name, String declaredIn) {
    return new FieldBinding(target, field(target.getClass(), name, declaredIn));
  }

  private static Field field(Class<?> type, String name, String declaredIn) {
    Class<?> c = type;
    while (c != null && declaredIn != null && !c.getName().equals(declaredIn)) {
      c = c.getSuperclass();
    }
    try {
      if (c != null) {
        return c.getDeclaredField(name);
      }
    } catch (NoSuchFieldException e) {
      // said below
    }
    throw new IllegalStateException(
        "the command model names a field "
            + (declaredIn != null ? declaredIn : type.getName())
            + "."
            + name
            + " that "
            + type.getName()
            + " does not have: the model file is out of date");
  }

  /** The object whose field this is, as picocli's scope of the argument. */
  IScope scope() {
    return new ValueBinding(target);
  }

  Field field() {
    return field;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T get() {
    Class<?> type = field.getType();
    Object value;
    if (type == boolean.class) {
      value = (boolean) handle.get(target);
    } else if (type == int.class) {
      value = (int) handle.get(target);
    } else if (type == long.class) {
      value = (long) handle.get(target);
    } else if (type == double.class) {
      value = (double) handle.get(target);
    } else if (type == float.class) {
      value = (float) handle.get(target);
    } else if (type == short.class) {
      value = (short) handle.get(target);
    } else if (type == byte.class) {
      value = (byte) handle.get(target);
    } else if (type == char.class) {
      value = (char) handle.get(target);
    } else {
      value = (Object) handle.get(target);
    }
    return (T) value;
  }

  @Override
  public <T> T set(T value) {
    T old = get();
    try {
      put(value);
    } catch (ClassCastException | NullPointerException e) {
      throw new PicocliException("Could not set value for field " + field + " to " + value, e);
    }
    return old;
  }

  private void put(Object value) {
    Class<?> type = field.getType();
    if (type == boolean.class) {
      handle.set(target, (boolean) (Boolean) value);
    } else if (type == int.class) {
      handle.set(target, (int) (Integer) value);
    } else if (type == long.class) {
      handle.set(target, (long) (Long) value);
    } else if (type == double.class) {
      handle.set(target, (double) (Double) value);
    } else if (type == float.class) {
      handle.set(target, (float) (Float) value);
    } else if (type == short.class) {
      handle.set(target, (short) (Short) value);
    } else if (type == byte.class) {
      handle.set(target, (byte) (Byte) value);
    } else if (type == char.class) {
      handle.set(target, (char) (Character) value);
    } else {
      handle.set(target, value);
    }
  }

  @Override
  public String toString() {
    return "FieldBinding("
        + field.getType().getName()
        + " "
        + field.getDeclaringClass().getName()
        + "."
        + field.getName()
        + ")";
  }
}
