package dev.appserver.operator;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/** Entry point: {@code run} (the default) runs the operator; {@code render -f FILE} previews child resources. */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    String command = args.length == 0 ? "run" : args[0];
    String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
    switch (command) {
      case "run" -> OperatorMain.run(rest);
      case "render" -> System.exit(render(rest));
      case "-h", "--help", "help" -> usage(0);
      default -> {
        System.err.println("unknown command: " + command);
        usage(2);
      }
    }
  }

  static int render(String[] args) throws IOException {
    String file = null;
    for (int i = 0; i < args.length; i++) {
      if ((args[i].equals("-f") || args[i].equals("--filename")) && i + 1 < args.length) file = args[++i];
      else if (args[i].startsWith("--filename=")) file = args[i].substring("--filename=".length());
      else {
        System.err.println("render: unexpected argument " + args[i]);
        return 2;
      }
    }
    if (file == null) {
      System.err.println("usage: render -f FILE   (FILE may be - for standard input)");
      return 2;
    }
    try (Reader in = file.equals("-")
        ? new InputStreamReader(System.in, StandardCharsets.UTF_8)
        : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
      return Render.withBuiltInRules().render(in, file, System.out, System.err);
    } catch (NoSuchFileException | FileNotFoundException e) {
      System.err.println("render: no such file: " + file);
      return 2;
    }
  }

  private static void usage(int code) {
    System.err.println("""
        usage: java -jar appserver-operator.jar [command]
          run                 run the operator against the current kubeconfig (default)
          render -f FILE      print the resources the operator would create for the AppServers in FILE
        """);
    System.exit(code);
  }
}
