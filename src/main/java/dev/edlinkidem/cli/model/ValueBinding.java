package dev.edlinkidem.cli.model;

import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;

/**
 * An argument bound to a value of its own: picocli's help options, which no field of ours holds.
 */
final class ValueBinding implements IGetter, ISetter {
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
