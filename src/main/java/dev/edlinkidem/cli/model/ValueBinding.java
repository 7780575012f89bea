package dev.edlinkidem.cli.model;

import picocli.CommandLine.Model.IScope;

/**
 * A value of its own: what picocli's help options are bound to, which no field of ours holds, and
 * the scope of an argument bound to a field (the object whose field it is).
 */
final class ValueBinding implements IScope {
  private Object value;

  ValueBinding(Object initial) {
    this.value = initial;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T get() {
    return (T) value;
  }

  @Override
  public <T> T set(T newValue) {
    T old = get();
    value = newValue;
    return old;
  }
}
