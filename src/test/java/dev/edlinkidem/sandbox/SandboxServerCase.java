package dev.edlinkidem.sandbox;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A test with a sandbox on a free port, a client for it, and its log lines. */
abstract class SandboxServerCase {
  /** Edlink's ids are UUIDs, and the sandbox refuses a class id that is not one. */
  static final String CLASS_ID = "5c2a0d7e-1f3b-4c8a-9e6d-0b4f7a2c9e15";

  static final String ASSIGNMENTS = "/api/v2/graph/classes/" + CLASS_ID + "/assignments";
  static final String LOG = "/api/v2/graph/requests";

  final List<String> logLines = new CopyOnWriteArrayList<>();
  SandboxServer server;
  SandboxClient client;

  /** The seed of the fault dice. */
  long seed() {
    return 1;
  }

  @BeforeEach
  void start() throws Exception {
    server = SandboxServer.start("127.0.0.1", 0, null, Faults.NONE, seed(), logLines::add);
    client = new SandboxClient(server.baseUrl());
  }

  @AfterEach
  void stop() {
    server.close();
  }
}
