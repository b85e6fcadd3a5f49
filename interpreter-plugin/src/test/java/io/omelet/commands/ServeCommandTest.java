package io.omelet.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omelet.scoring.ServerConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code omelet serve}'s bad command lines: exit code 2, one line naming what is wrong, and no Spark started. */
class ServeCommandTest {

  private static String refused(String... args) {
    CommandContext ctx = new CommandContext(master -> {
      throw new AssertionError("a usage error starts no Spark session");
    }, CommandSink.collecting(), Path.of("."));
    String[] argv = new String[args.length + 1];
    argv[0] = "serve";
    System.arraycopy(args, 0, argv, 1, args.length);
    OmeletCommands.Outcome o = OmeletCommands.execute(ctx, argv);
    assertEquals(OmeletCommands.USAGE, o.exitCode(), String.join(" ", argv) + ": " + o.error());
    assertFalse(o.error().contains("\n"), "one line: " + o.error());
    return o.error();
  }

  @Test
  void badArgumentsSayWhatIsWrong() {
    assertTrue(refused().contains("Missing required option: '--model=URI'"), refused());
    assertTrue(refused("--model", "m@a", "--port", "http").contains("'http' is not an int"), refused("--model", "m@a", "--port", "http"));
    assertTrue(refused("--model", "m@a", "--port", "70000").contains("between 0 and 65535"));
    assertTrue(refused("--model", "m@a", "--reload-interval", "-1").contains("--reload-interval"));
    assertTrue(refused("--model", "m@a", "--colour", "red").contains("Unknown options: '--colour'"),
        refused("--model", "m@a", "--colour", "red"));
    assertTrue(refused("--model", "m@a", "--threads", "0").contains("--threads must be between 1 and 1024"));
    // a body is held in memory while parsed: the limit itself has a bound
    String huge = refused("--model", "m@a", "--max-body-bytes", Long.toString(Long.MAX_VALUE));
    assertTrue(huge.contains("--max-body-bytes") && huge.contains(Long.toString(ServerConfig.MAX_BODY_BYTES_LIMIT)), huge);
  }

  @Test
  void badInferenceLogSettingsSayWhatIsWrong() {
    assertTrue(refused("--model", "m@a", "--log-sample", "0").contains("--log-sample must be in (0, 1]"));
    assertTrue(refused("--model", "m@a", "--log-sample", "1.5").contains("--log-sample must be in (0, 1]"));
    assertTrue(refused("--model", "m@a", "--log-flush-secs", "0").contains("--log-flush-secs"));
    assertTrue(refused("--model", "m@a", "--log-flush-rows", "0").contains("--log-flush-rows"));
    assertTrue(refused("--model", "m@a", "--log-queue", "-5").contains("--log-queue"));
    // a run artifact has no model name, so no table: asked to log it, serve says so before starting
    String run = "runs:/0123456789abcdef0123456789abcdef/model/model.zip";
    String e = refused("--model", run, "--log");
    assertTrue(e.contains("per registered model") && e.contains("--no-log"), e);
    assertTrue(refused("--model", run, "--log-sample", "0.5").contains("per registered model"));
  }
}
