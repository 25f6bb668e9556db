package dev.arca.registry.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a separate JVM running a main class from the current classpath: for tests that race processes or need
 * a small heap. Standard error is inherited so a child's failure shows in the test log.
 */
public final class ChildJvm {

  private ChildJvm() {}

  /**
   * Starts {@code mainClass} in a new JVM.
   *
   * @param mainClass a class with a {@code main} method, on the current classpath
   * @param jvmOptions options such as {@code -Xmx32m}
   * @param args program arguments
   * @return the running process; the caller waits for it or destroys it
   * @throws IOException when the JVM cannot start
   */
  public static Process start(Class<?> mainClass, List<String> jvmOptions, String... args) throws IOException {
    return start(mainClass, jvmOptions, java.util.Map.of(), args);
  }

  /**
   * Starts {@code mainClass} in a new JVM with extra environment variables.
   *
   * @param mainClass a class with a {@code main} method, on the current classpath
   * @param jvmOptions options such as {@code -Xmx32m}
   * @param environment variables added to this process's environment
   * @param args program arguments
   * @return the running process; the caller waits for it or destroys it
   * @throws IOException when the JVM cannot start
   */
  public static Process start(Class<?> mainClass, List<String> jvmOptions, java.util.Map<String, String> environment,
      String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().putAll(environment);
    return builder.start();
  }

  /**
   * The java launcher of the running JVM.
   *
   * @return its path
   */
  public static String javaBinary() {
    return ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }
}
