package dev.edlinkidem.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/** Why a file the user named could not be read, in the words of a one-line error. */
public final class Unreadable {
  private Unreadable() {}

  public static String why(Exception e) {
    if (e instanceof UncheckedIOException unchecked) {
      return why(unchecked.getCause());
    }
    if (e instanceof CharacterCodingException) {
      return "it is not UTF-8 text";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof IOException
        && e.getMessage() != null
        && e.getMessage().contains("Is a directory")) {
      return "it is a directory";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
