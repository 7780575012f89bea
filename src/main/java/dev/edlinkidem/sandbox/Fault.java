package dev.edlinkidem.sandbox;

/** What the dice decided for one API request. */
enum Fault {
  NONE,
  /** Close the connection without answering and without doing anything. */
  DROP_BEFORE_COMMIT,
  /** Answer 503 without doing anything. */
  ERROR,
  /** Answer 429 with Retry-After without doing anything. */
  THROTTLE,
  /** Do the work and remember the answer, then close the connection without sending it. */
  DROP_AFTER_COMMIT,
  /** Answer 400 INTERNAL without doing anything. */
  INTERNAL_ERROR,
  /** Do the work, then answer 400 INTERNAL, and remember that answer for the key. */
  INTERNAL_AFTER_COMMIT
}
