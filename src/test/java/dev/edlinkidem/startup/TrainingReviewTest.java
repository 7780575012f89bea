package dev.edlinkidem.startup;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review of 4695d24: the training run's step on postgres://training@127.0.0.1:1/training. Training
 * says no user's journal, profile or token is read, and gives its commands a HOME of its own; but
 * when the tool finds no password (its own lookup uses that HOME), the PostgreSQL driver looks one
 * up itself in the JVM's user.home (or PGPASSFILE / org.postgresql.pgpassfile), i.e. the real
 * user's ~/.pgpass, and sends it to whatever answers on 127.0.0.1:1 and asks for a cleartext
 * password. The launcher runs Training in the background, unasked, after any command; in a
 * container (Docker sets net.ipv4.ip_unprivileged_port_start=0) any process may listen on port 1.
 */
class TrainingReviewTest {
  @TempDir Path tmp;

  @Test
  void theTrainingRunSendsNoPasswordOfTheUsersToPortOne() throws Exception {
    ServerSocket server;
    try {
      server = new ServerSocket(1, 50, InetAddress.getByName("127.0.0.1"));
    } catch (IOException e) {
      assumeTrue(false, "cannot listen on 127.0.0.1:1 here: " + e);
      return;
    }
    // The user's own ~/.pgpass, as libpq users keep one: a line for every server.
    Path realHome = Files.createDirectories(tmp.resolve("real-home"));
    Path pgpass = realHome.resolve(".pgpass");
    Files.writeString(pgpass, "*:*:*:*:the-users-real-db-password\n");
    Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
    String oldHome = System.getProperty("user.home");
    List<String> received = Collections.synchronizedList(new ArrayList<>());
    Thread fake = new Thread(() -> serve(server, received), "fake-postgres-on-port-1");
    fake.setDaemon(true);
    fake.start();
    boolean ok;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setProperty("user.home", realHome.toString());
      Path dir = Files.createDirectories(tmp.resolve("training"));
      ok = Training.run(dir, new PrintStream(err, true, StandardCharsets.UTF_8));
    } finally {
      System.setProperty("user.home", oldHome);
      server.close();
    }
    assertTrue(ok, "training ended as expected: " + err);
    // Asked for a password, it has none to give: an empty one, never the user's.
    assertTrue(
        received.stream().allMatch(String::isEmpty),
        "passwords the training run sent to 127.0.0.1:1: " + received);
  }

  /** A server that speaks just enough of the protocol to ask for a cleartext password. */
  private static void serve(ServerSocket server, List<String> received) {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        s.setSoTimeout(5000);
        DataInputStream in = new DataInputStream(s.getInputStream());
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        while (true) {
          int len = in.readInt();
          int code = in.readInt();
          byte[] rest = new byte[len - 8];
          in.readFully(rest);
          if (code == 80877103 || code == 80877104) { // SSLRequest, GSSENCRequest
            out.writeByte('N');
            out.flush();
            continue;
          }
          break; // the startup message
        }
        out.writeByte('R');
        out.writeInt(8);
        out.writeInt(3); // AuthenticationCleartextPassword
        out.flush();
        int type = in.readByte();
        int len = in.readInt();
        byte[] body = new byte[len - 4];
        in.readFully(body);
        if (type == 'p') {
          received.add(new String(body, 0, body.length - 1, StandardCharsets.UTF_8));
        }
        byte[] fields =
            "SFATAL\0C28P01\0Mpassword authentication failed\0\0".getBytes(StandardCharsets.UTF_8);
        out.writeByte('E');
        out.writeInt(4 + fields.length);
        out.write(fields);
        out.flush();
      } catch (IOException e) {
        // next connection, or closed
      }
    }
  }
}
